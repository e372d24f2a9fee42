/* Prints received ROS messages field by field, one "path=value" line each, floats as their IEEE bits in hex and
   byte sequences as length + FNV-1a, so the C# test compares every field exactly. */
#ifndef PEER_DUMP_H
#define PEER_DUMP_H
#include "ros_messages.h"
#include "rmw_discovery.h"

void dump_pointcloud2(const sensor_msgs_msg_dds__PointCloud2_ *m);
void dump_diagnostics(const diagnostic_msgs_msg_dds__DiagnosticArray_ *m);
void dump_detections(const vision_msgs_msg_dds__Detection3DArray_ *m);
void dump_markers(const visualization_msgs_msg_dds__MarkerArray_ *m);
void print_discovery_nodes(const dds_sequence_t *nodes, size_t gid_size);
#endif
