#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "peer_dump.h"

#define SUB(buf, fmt, ...) char buf[256]; snprintf(buf, sizeof buf, fmt, __VA_ARGS__)

static void u(const char *pre, const char *name, uint64_t v) { printf("%s%s=%" PRIu64 "\n", pre, name, v); }
static void i(const char *pre, const char *name, int64_t v) { printf("%s%s=%" PRId64 "\n", pre, name, v); }
static void s(const char *pre, const char *name, const char *v) { printf("%s%s=%s\n", pre, name, v ? v : ""); }

static void f32(const char *pre, const char *name, float v)
{
  uint32_t bits;
  memcpy(&bits, &v, 4);
  printf("%s%s=%08" PRIx32 "\n", pre, name, bits);
}

static void f64(const char *pre, const char *name, double v)
{
  uint64_t bits;
  memcpy(&bits, &v, 8);
  printf("%s%s=%016" PRIx64 "\n", pre, name, bits);
}

static void bytes(const char *pre, const char *name, const dds_sequence_uint8 *seq)
{
  uint32_t hash = 2166136261u;
  for (uint32_t k = 0; k < seq->_length; k++)
    hash = (hash ^ seq->_buffer[k]) * 16777619u;
  printf("%s%s.length=%" PRIu32 "\n%s%s.fnv1a=%08" PRIx32 "\n", pre, name, seq->_length, pre, name, hash);
}

static void header(const char *pre, const std_msgs_msg_dds__Header_ *h)
{
  i(pre, "stamp.sec", h->stamp.sec);
  u(pre, "stamp.nanosec", h->stamp.nanosec);
  s(pre, "frame_id", h->frame_id);
}

static void pose(const char *pre, const geometry_msgs_msg_dds__Pose_ *p)
{
  f64(pre, "position.x", p->position.x);
  f64(pre, "position.y", p->position.y);
  f64(pre, "position.z", p->position.z);
  f64(pre, "orientation.x", p->orientation.x);
  f64(pre, "orientation.y", p->orientation.y);
  f64(pre, "orientation.z", p->orientation.z);
  f64(pre, "orientation.w", p->orientation.w);
}

static void vector3(const char *pre, const geometry_msgs_msg_dds__Vector3_ *v)
{
  f64(pre, "x", v->x);
  f64(pre, "y", v->y);
  f64(pre, "z", v->z);
}

static void color(const char *pre, const std_msgs_msg_dds__ColorRGBA_ *c)
{
  f32(pre, "r", c->r);
  f32(pre, "g", c->g);
  f32(pre, "b", c->b);
  f32(pre, "a", c->a);
}

void dump_pointcloud2(const sensor_msgs_msg_dds__PointCloud2_ *m)
{
  header("header.", &m->header);
  u("", "height", m->height);
  u("", "width", m->width);
  u("", "fields.length", m->fields._length);
  for (uint32_t k = 0; k < m->fields._length; k++) {
    SUB(pre, "fields[%u].", k);
    s(pre, "name", m->fields._buffer[k].name);
    u(pre, "offset", m->fields._buffer[k].offset);
    u(pre, "datatype", m->fields._buffer[k].datatype);
    u(pre, "count", m->fields._buffer[k].count);
  }
  u("", "is_bigendian", m->is_bigendian);
  u("", "point_step", m->point_step);
  u("", "row_step", m->row_step);
  bytes("", "data", &m->data);
  u("", "is_dense", m->is_dense);
}

void dump_diagnostics(const diagnostic_msgs_msg_dds__DiagnosticArray_ *m)
{
  header("header.", &m->header);
  u("", "status.length", m->status._length);
  for (uint32_t k = 0; k < m->status._length; k++) {
    const diagnostic_msgs_msg_dds__DiagnosticStatus_ *st = &m->status._buffer[k];
    SUB(pre, "status[%u].", k);
    u(pre, "level", st->level);
    s(pre, "name", st->name);
    s(pre, "message", st->message);
    s(pre, "hardware_id", st->hardware_id);
    u(pre, "values.length", st->values._length);
    for (uint32_t v = 0; v < st->values._length; v++) {
      SUB(kv, "%svalues[%u].", pre, v);
      s(kv, "key", st->values._buffer[v].key);
      s(kv, "value", st->values._buffer[v].value);
    }
  }
}

void dump_detections(const vision_msgs_msg_dds__Detection3DArray_ *m)
{
  header("header.", &m->header);
  u("", "detections.length", m->detections._length);
  for (uint32_t k = 0; k < m->detections._length; k++) {
    const vision_msgs_msg_dds__Detection3D_ *d = &m->detections._buffer[k];
    SUB(pre, "detections[%u].", k);
    SUB(hp, "%sheader.", pre);
    header(hp, &d->header);
    u(pre, "results.length", d->results._length);
    for (uint32_t r = 0; r < d->results._length; r++) {
      const vision_msgs_msg_dds__ObjectHypothesisWithPose_ *h = &d->results._buffer[r];
      SUB(rp, "%sresults[%u].", pre, r);
      s(rp, "hypothesis.class_id", h->hypothesis.class_id);
      f64(rp, "hypothesis.score", h->hypothesis.score);
      SUB(pp, "%spose.pose.", rp);
      pose(pp, &h->pose.pose);
      for (int c = 0; c < 36; c++) {
        SUB(cov, "pose.covariance[%d]", c);
        f64(rp, cov, h->pose.covariance[c]);
      }
    }
    SUB(bp, "%sbbox.center.", pre);
    pose(bp, &d->bbox.center);
    SUB(sp, "%sbbox.size.", pre);
    vector3(sp, &d->bbox.size);
    s(pre, "id", d->id);
  }
}

void dump_markers(const visualization_msgs_msg_dds__MarkerArray_ *m)
{
  u("", "markers.length", m->markers._length);
  for (uint32_t k = 0; k < m->markers._length; k++) {
    const visualization_msgs_msg_dds__Marker_ *mk = &m->markers._buffer[k];
    SUB(pre, "markers[%u].", k);
    SUB(hp, "%sheader.", pre);
    header(hp, &mk->header);
    s(pre, "ns", mk->ns);
    i(pre, "id", mk->id);
    i(pre, "type", mk->type);
    i(pre, "action", mk->action);
    SUB(pp, "%spose.", pre);
    pose(pp, &mk->pose);
    SUB(sp, "%sscale.", pre);
    vector3(sp, &mk->scale);
    SUB(cp, "%scolor.", pre);
    color(cp, &mk->color);
    i(pre, "lifetime.sec", mk->lifetime.sec);
    u(pre, "lifetime.nanosec", mk->lifetime.nanosec);
    u(pre, "frame_locked", mk->frame_locked);
    u(pre, "points.length", mk->points._length);
    for (uint32_t p = 0; p < mk->points._length; p++) {
      SUB(ptp, "%spoints[%u].", pre, p);
      f64(ptp, "x", mk->points._buffer[p].x);
      f64(ptp, "y", mk->points._buffer[p].y);
      f64(ptp, "z", mk->points._buffer[p].z);
    }
    u(pre, "colors.length", mk->colors._length);
    for (uint32_t c = 0; c < mk->colors._length; c++) {
      SUB(ccp, "%scolors[%u].", pre, c);
      color(ccp, &mk->colors._buffer[c]);
    }
    s(pre, "texture_resource", mk->texture_resource);
    SUB(tp, "%stexture.header.", pre);
    header(tp, &mk->texture.header);
    s(pre, "texture.format", mk->texture.format);
    bytes(pre, "texture.data", &mk->texture.data);
    u(pre, "uv_coordinates.length", mk->uv_coordinates._length);
    for (uint32_t c = 0; c < mk->uv_coordinates._length; c++) {
      SUB(uvp, "%suv_coordinates[%u].", pre, c);
      f32(uvp, "u", mk->uv_coordinates._buffer[c].u);
      f32(uvp, "v", mk->uv_coordinates._buffer[c].v);
    }
    s(pre, "text", mk->text);
    s(pre, "mesh_resource", mk->mesh_resource);
    s(pre, "mesh_file.filename", mk->mesh_file.filename);
    bytes(pre, "mesh_file.data", &mk->mesh_file.data);
    u(pre, "mesh_use_embedded_materials", mk->mesh_use_embedded_materials);
  }
}

void print_discovery_nodes(const dds_sequence_t *nodes, size_t gid_size)
{
  /* NodeEntitiesInfo has the same C layout in both distros (names char[257], two sequences); the Gid elements of
     the sequences are gid_size bytes. */
  const rmw_dds_common_msg_dds__NodeEntitiesInfo_ *infos = (const void *)nodes->_buffer;
  for (uint32_t k = 0; k < nodes->_length; k++) {
    SUB(pre, "nodes[%u].", k);
    s(pre, "namespace", infos[k].node_namespace);
    s(pre, "name", infos[k].node_name);
    const dds_sequence_t *seqs[2] = { (const void *)&infos[k].reader_gid_seq, (const void *)&infos[k].writer_gid_seq };
    for (int which = 0; which < 2; which++) {
      SUB(sp, "%s%s.", pre, which == 0 ? "readers" : "writers");
      u(sp, "length", seqs[which]->_length);
      for (uint32_t g = 0; g < seqs[which]->_length; g++) {
        printf("%s[%u]=", sp, g);
        for (size_t b = 0; b < gid_size; b++)
          printf("%02x", seqs[which]->_buffer[g * gid_size + b]);
        printf("\n");
      }
    }
  }
}
