/* An idlc-generated Cyclone DDS peer for the C# interop tests (domain and loopback config from argv/CYCLONEDDS_URI):
     ros_peer <domain> sub <pointcloud2|diagnostics|detections|markers> <topic> <count> <reliable|best_effort>
       receives <count> samples and prints each field (peer_dump.c), "---" after each message;
     ros_peer <domain> pub <pointcloud2|diagnostics> <topic> <count> [dds type name]
       waits for a reader, publishes <count> deterministic messages (peer_fill.c), waits for acknowledgements;
       with a type name, registers the type under that name (a peer whose layout disagrees with the name);
     ros_peer <domain> discovery <jazzy|humble>
       prints the first ros_discovery_info sample that lists a node.
   Exit 0 on success, 2 on bad usage, 3 on timeout (30 s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dds/dds.h"
#include "ros_messages.h"
#include "rmw_discovery.h"
#include "peer_dump.h"
#include "peer_fill.h"

typedef void (*dump_fn)(const void *);

static const dds_topic_descriptor_t *descriptor_of(const char *type, dump_fn *dump)
{
  struct { const char *name; const dds_topic_descriptor_t *desc; dump_fn dump; } table[] = {
    { "pointcloud2", &sensor_msgs_msg_dds__PointCloud2__desc, (dump_fn)dump_pointcloud2 },
    { "diagnostics", &diagnostic_msgs_msg_dds__DiagnosticArray__desc, (dump_fn)dump_diagnostics },
    { "detections", &vision_msgs_msg_dds__Detection3DArray__desc, (dump_fn)dump_detections },
    { "markers", &visualization_msgs_msg_dds__MarkerArray__desc, (dump_fn)dump_markers },
  };
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
    if (strcmp(table[k].name, type) == 0) {
      if (dump)
        *dump = table[k].dump;
      return table[k].desc;
    }
  fprintf(stderr, "unknown type %s\n", type);
  exit(2);
}

static dds_entity_t must(dds_entity_t e, const char *what)
{
  if (e < 0) {
    fprintf(stderr, "%s: %s\n", what, dds_strretcode(e));
    exit(1);
  }
  return e;
}

/* Takes samples until <count> valid ones arrived; for each, calls on_sample (which returns 1 to count it). */
static int take_loop(dds_entity_t reader, int count, int (*on_sample)(const void *, void *), void *arg)
{
  int seen = 0;
  for (int waited = 0; waited < 30000 && seen < count; ) {
    void *samples[1] = { NULL };
    dds_sample_info_t info;
    dds_return_t n = dds_take(reader, samples, &info, 1, 1);
    if (n > 0) {
      if (info.valid_data)
        seen += on_sample(samples[0], arg);
      dds_return_loan(reader, samples, n);
      fflush(stdout);
    } else {
      dds_sleepfor(DDS_MSECS(5));
      waited += 5;
    }
  }
  return seen == count ? 0 : 3;
}

static int print_message(const void *sample, void *dump)
{
  ((dump_fn)dump)(sample);
  printf("---\n");
  return 1;
}

static int print_discovery(const void *sample, void *gid_size)
{
  /* Both layouts begin with the gid array and the node sequence; only the Gid size differs. */
  const unsigned char *gid = sample;
  size_t size = *(size_t *)gid_size;
  const dds_sequence_t *nodes = (const dds_sequence_t *)(gid + (size == 24 ? 24 : 16));
  if (nodes->_length == 0)
    return 0;
  printf("gid=");
  for (size_t k = 0; k < size; k++)
    printf("%02x", gid[k]);
  printf("\n");
  print_discovery_nodes(nodes, size);
  return 1;
}

int main(int argc, char **argv)
{
  if (argc < 4)
    return 2;
  dds_entity_t pp = must(dds_create_participant((dds_domainid_t)atoi(argv[1]), NULL, NULL), "participant");
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_INFINITY);
  int rc = 2;
  if (strcmp(argv[2], "sub") == 0 && argc == 7) {
    dump_fn dump;
    const dds_topic_descriptor_t *desc = descriptor_of(argv[3], &dump);
    if (strcmp(argv[6], "best_effort") == 0)
      dds_qset_reliability(qos, DDS_RELIABILITY_BEST_EFFORT, 0);
    dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, 10);
    dds_entity_t topic = must(dds_create_topic(pp, desc, argv[4], NULL, NULL), "topic");
    dds_entity_t reader = must(dds_create_reader(pp, topic, qos, NULL), "reader");
    rc = take_loop(reader, atoi(argv[5]), print_message, (void *)dump);
  } else if (strcmp(argv[2], "pub") == 0 && (argc == 6 || argc == 7)) {
    dds_topic_descriptor_t desc = *descriptor_of(argv[3], NULL);
    if (argc == 7)
      desc.m_typename = argv[6];
    dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
    dds_entity_t topic = must(dds_create_topic(pp, &desc, argv[4], NULL, NULL), "topic");
    dds_entity_t writer = must(dds_create_writer(pp, topic, qos, NULL), "writer");
    rc = publish_messages(writer, argv[3], atoi(argv[5]));
  } else if (strcmp(argv[2], "discovery") == 0) {
    dds_topic_descriptor_t desc = strcmp(argv[3], "humble") == 0
      ? rmw_dds_common_humble_msg_dds__ParticipantEntitiesInfo__desc : rmw_dds_common_msg_dds__ParticipantEntitiesInfo__desc;
    desc.m_typename = "rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_";
    size_t gid_size = strcmp(argv[3], "humble") == 0 ? 24 : 16;
    dds_qset_durability(qos, DDS_DURABILITY_TRANSIENT_LOCAL);
    dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
    dds_entity_t topic = must(dds_create_topic(pp, &desc, "ros_discovery_info", NULL, NULL), "topic");
    dds_entity_t reader = must(dds_create_reader(pp, topic, qos, NULL), "reader");
    rc = take_loop(reader, 1, print_discovery, &gid_size);
  }
  dds_delete_qos(qos);
  dds_delete(pp);
  return rc;
}
