/* Prints what idlc generated for each ROS type: one line "<key> <m_size> <m_align> <m_flagset> <m_nops> <ops...>",
   the reference the C# descriptor builder must equal word for word. The generated .c files are included (not
   linked) because the ops arrays are static there. */
#include <stdio.h>
#include "ros_messages.c"
#include "rmw_discovery.c"

#define DUMP(key, t) dump(key, &t##_desc, t##_ops, sizeof(t##_ops) / sizeof(uint32_t))

static void dump(const char *key, const dds_topic_descriptor_t *d, const uint32_t *ops, size_t n)
{
  printf("%s %u %u %u %u", key, d->m_size, d->m_align, d->m_flagset, d->m_nops);
  for (size_t i = 0; i < n; i++)
    printf(" %u", ops[i]);
  printf("\n");
}

int main(void)
{
  DUMP("builtin_interfaces/Time", builtin_interfaces_msg_dds__Time_);
  DUMP("std_msgs/Header", std_msgs_msg_dds__Header_);
  DUMP("std_msgs/ColorRGBA", std_msgs_msg_dds__ColorRGBA_);
  DUMP("geometry_msgs/Pose", geometry_msgs_msg_dds__Pose_);
  DUMP("geometry_msgs/PoseWithCovariance", geometry_msgs_msg_dds__PoseWithCovariance_);
  DUMP("geometry_msgs/TwistStamped", geometry_msgs_msg_dds__TwistStamped_);
  DUMP("ackermann_msgs/AckermannDriveStamped", ackermann_msgs_msg_dds__AckermannDriveStamped_);
  DUMP("sensor_msgs/PointField", sensor_msgs_msg_dds__PointField_);
  DUMP("sensor_msgs/PointCloud2", sensor_msgs_msg_dds__PointCloud2_);
  DUMP("sensor_msgs/CompressedImage", sensor_msgs_msg_dds__CompressedImage_);
  DUMP("vision_msgs/Detection3D", vision_msgs_msg_dds__Detection3D_);
  DUMP("vision_msgs/Detection3DArray", vision_msgs_msg_dds__Detection3DArray_);
  DUMP("visualization_msgs/Marker", visualization_msgs_msg_dds__Marker_);
  DUMP("visualization_msgs/MarkerArray", visualization_msgs_msg_dds__MarkerArray_);
  DUMP("diagnostic_msgs/DiagnosticArray", diagnostic_msgs_msg_dds__DiagnosticArray_);
  DUMP("jazzy:rmw_dds_common/ParticipantEntitiesInfo", rmw_dds_common_msg_dds__ParticipantEntitiesInfo_);
  DUMP("humble:rmw_dds_common/ParticipantEntitiesInfo", rmw_dds_common_humble_msg_dds__ParticipantEntitiesInfo_);
  return 0;
}
