/* The messages the C peer publishes. The C# test rebuilds the same values (same float arithmetic) and compares the
   received records field by field:
   PointCloud2 #i: stamp (100 + i, 500000000), frame "velodyne", 1 x 1000 points of 22 bytes: x, y, z, intensity
     float32 at 0/4/8/12, ring uint16 at 16, time float32 at 18 (unaligned, as some drivers pack it);
     point j: x = j * 0.25 + i, y = -j, z = (j % 7) * 0.5, intensity = j % 256, ring = j % 32, time = j * 1e-5.
   DiagnosticArray #i: stamp (200 + i, 7), two statuses (see fill_diagnostics). */
#include <stdio.h>
#include <string.h>
#include "ros_messages.h"
#include "peer_fill.h"

#define POINTS 1000
#define STEP 22

static void fill_pointcloud2(sensor_msgs_msg_dds__PointCloud2_ *m, int i, unsigned char *data)
{
  static sensor_msgs_msg_dds__PointField_ fields[6] = {
    { "x", 0, 7, 1 }, { "y", 4, 7, 1 }, { "z", 8, 7, 1 }, { "intensity", 12, 7, 1 }, { "ring", 16, 4, 1 },
    { "time", 18, 7, 1 },
  };
  for (int j = 0; j < POINTS; j++) {
    float v[4] = { (float)j * 0.25f + (float)i, -(float)j, (float)(j % 7) * 0.5f, (float)(j % 256) };
    unsigned short ring = (unsigned short)(j % 32);
    float time = (float)j * 1e-5f;
    memcpy(data + j * STEP, v, 16);
    memcpy(data + j * STEP + 16, &ring, 2);
    memcpy(data + j * STEP + 18, &time, 4);
  }
  memset(m, 0, sizeof *m);
  m->header.stamp.sec = 100 + i;
  m->header.stamp.nanosec = 500000000u;
  m->header.frame_id = "velodyne";
  m->height = 1;
  m->width = POINTS;
  m->fields._length = m->fields._maximum = 6;
  m->fields._buffer = fields;
  m->point_step = STEP;
  m->row_step = STEP * POINTS;
  m->data._length = m->data._maximum = STEP * POINTS;
  m->data._buffer = data;
  m->is_dense = true;
}

static void fill_diagnostics(diagnostic_msgs_msg_dds__DiagnosticArray_ *m, int i, char *frame)
{
  static diagnostic_msgs_msg_dds__KeyValue_ values[2] = { { "frame", NULL }, { "points", "1000" } };
  static diagnostic_msgs_msg_dds__DiagnosticStatus_ status[2];
  snprintf(frame, 16, "%d", i);
  values[0].value = frame;
  status[0] = (diagnostic_msgs_msg_dds__DiagnosticStatus_){ 0, "perception/segmenter", "ok", "lidar0",
    { 2, 2, values, false } };
  status[1] = (diagnostic_msgs_msg_dds__DiagnosticStatus_){ 2, "perception/io", "dropped", "", { 0, 0, NULL, false } };
  memset(m, 0, sizeof *m);
  m->header.stamp.sec = 200 + i;
  m->header.stamp.nanosec = 7;
  m->header.frame_id = "";
  m->status._length = m->status._maximum = 2;
  m->status._buffer = status;
}

int publish_messages(dds_entity_t writer, const char *type, int count)
{
  dds_publication_matched_status_t matched = { 0 };
  for (int waited = 0; matched.current_count == 0; waited += 10) {
    if (waited > 30000)
      return 3;
    dds_sleepfor(DDS_MSECS(10));
    dds_get_publication_matched_status(writer, &matched);
  }
  dds_sleepfor(DDS_MSECS(200)); /* let the reader's side of discovery finish too */
  static unsigned char data[STEP * POINTS];
  for (int i = 0; i < count; i++) {
    dds_return_t rc;
    char frame[16];
    if (strcmp(type, "pointcloud2") == 0) {
      sensor_msgs_msg_dds__PointCloud2_ m;
      fill_pointcloud2(&m, i, data);
      rc = dds_write(writer, &m);
    } else {
      diagnostic_msgs_msg_dds__DiagnosticArray_ m;
      fill_diagnostics(&m, i, frame);
      rc = dds_write(writer, &m);
    }
    if (rc < 0) {
      fprintf(stderr, "dds_write: %s\n", dds_strretcode(rc));
      return 1;
    }
  }
  return dds_wait_for_acks(writer, DDS_SECS(10)) == 0 ? 0 : 3;
}
