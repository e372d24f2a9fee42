#ifndef PEER_FILL_H
#define PEER_FILL_H
#include "dds/dds.h"

/* Publishes <count> deterministic messages of <type> once a reader matched; 0 on success, 3 on timeout. */
int publish_messages(dds_entity_t writer, const char *type, int count);
#endif
