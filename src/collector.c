#include "collector.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdtt_exit.h"
#include "pdtt_compat.skel.h"
#include "pdtt_full.skel.h"
#include "pdtt_kctx.skel.h"

/* The three skeletons differ only in their programs' code; everything past
 * open goes through the generic bpf_object API. */
#define SKEL_OPS(n)                                     \
	static struct bpf_object *open_##n(void **skel) \
	{                                               \
		struct n *s = n##__open();              \
		*skel = s;                              \
		return s ? s->obj : NULL;               \
	}                                               \
	static void destroy_##n(void *skel)             \
	{                                               \
		n##__destroy(skel);                     \
	}
SKEL_OPS(pdtt_full)
SKEL_OPS(pdtt_kctx)
SKEL_OPS(pdtt_compat)

static const struct {
	const char *name;
	const char *caveat;
	struct bpf_object *(*open)(void **skel);
	void (*destroy)(void *skel);
} variants[PDTT_VARIANT_COUNT] = {
	[PDTT_VARIANT_FULL] = { "full", NULL, open_pdtt_full, destroy_pdtt_full },
	[PDTT_VARIANT_KCTX] = { "kctx",
				"kernel lacks bpf_get_netns_cookie for cgroup_skb (added in 6.15); "
				"reading the netns cookie from the socket instead, same guarantees",
				open_pdtt_kctx, destroy_pdtt_kctx },
	[PDTT_VARIANT_COMPAT] = { "compat",
				  "kernel lacks bpf_cast_to_kern_ctx (added in 6.2): uids are as "
				  "seen "
				  "from the socket's user namespace (root in a container counts as "
				  "0) "
				  "and -i IFACE also counts interfaces with the same index in "
				  "other "
				  "network namespaces",
				  open_pdtt_compat, destroy_pdtt_compat },
};

const char *pdtt_variant_name(enum pdtt_variant v)
{
	return v < PDTT_VARIANT_COUNT ? variants[v].name : "?";
}

const char *pdtt_variant_caveat(enum pdtt_variant v)
{
	return v < PDTT_VARIANT_COUNT ? variants[v].caveat : NULL;
}

static bool kernel_has_kfunc(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return found;
}

int pdtt_collector_probe(enum pdtt_variant *out)
{
	const char *forced = getenv("PDTT_BPF_VARIANT");

	if (forced && *forced) {
		for (int v = 0; v < PDTT_VARIANT_COUNT; v++)
			if (!strcmp(forced, variants[v].name)) {
				*out = (enum pdtt_variant)v;
				return 0;
			}
		return -EINVAL;
	}
	if (!kernel_has_kfunc("bpf_cast_to_kern_ctx"))
		*out = PDTT_VARIANT_COMPAT;
	else if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_get_netns_cookie,
					 NULL) == 1)
		*out = PDTT_VARIANT_FULL;
	else
		*out = PDTT_VARIANT_KCTX;
	return 0;
}

static int fill_filters(struct pdtt_collector *c, const struct pdtt_collector_config *cfg,
			char *err, size_t errlen)
{
	struct bpf_map *ifaces = bpf_object__find_map_by_name(c->obj, "pdtt_ifaces");
	struct bpf_map *config = bpf_object__find_map_by_name(c->obj, "pdtt_config");
	struct pdtt_config conf = { .all_ifaces = cfg->all_ifaces };
	__u32 zero = 0;
	__u8 one = 1;
	/* The compat programs cannot see network namespaces: they key on 0. */
	__u64 netns = c->variant == PDTT_VARIANT_COMPAT ? 0 : cfg->netns_cookie;

	if (!ifaces || !config) {
		snprintf(err, errlen, "BPF object: filter maps missing; rebuild pdtt");
		return PDTT_EXIT_RUNTIME;
	}
	for (int i = 0; i < cfg->n_ifaces; i++) {
		struct pdtt_iface_key k = { .netns_cookie = netns,
					    .ifindex = cfg->ifaces[i].ifindex };

		if (bpf_map_update_elem(bpf_map__fd(ifaces), &k, &one, BPF_ANY)) {
			snprintf(err, errlen, "interface filter '%s': %s", cfg->ifaces[i].name,
				 strerror(errno));
			return PDTT_EXIT_RUNTIME;
		}
	}
	if (bpf_map_update_elem(bpf_map__fd(config), &zero, &conf, BPF_ANY)) {
		snprintf(err, errlen, "BPF config map: %s", strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	return 0;
}

static int attach(struct pdtt_collector *c, const char *cgroup_path, char *err, size_t errlen)
{
	static const char *const progs[2] = { "pdtt_ingress", "pdtt_egress" };
	int cg = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (cg < 0) {
		snprintf(err, errlen, "cgroup %s: %s; is cgroup v2 mounted there?", cgroup_path,
			 strerror(errno));
		return PDTT_EXIT_UNSUPPORTED;
	}
	for (int i = 0; i < 2; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(c->obj, progs[i]);

		c->links[i] = p ? bpf_program__attach_cgroup(p, cg) : NULL;
		if (!c->links[i]) {
			snprintf(err, errlen,
				 "Failed to attach program to cgroup %s (%s): %s; check root "
				 "privileges, "
				 "kernel eBPF cgroup support and the cgroup v2 mount",
				 cgroup_path, progs[i], strerror(errno));
			rc = PDTT_EXIT_RUNTIME;
			break;
		}
	}
	close(cg);
	return rc;
}

int pdtt_collector_start(struct pdtt_collector *c, enum pdtt_variant v,
			 const struct pdtt_collector_config *cfg, char *err, size_t errlen)
{
	struct bpf_map *stats, *lost;
	int rc;

	memset(c, 0, sizeof(*c));
	c->variant = v;
	c->stats_fd = c->lost_fd = -1;
	c->ncpus = libbpf_num_possible_cpus();
	if (c->ncpus <= 0) {
		snprintf(err, errlen, "possible CPUs: %s", strerror(-c->ncpus));
		return PDTT_EXIT_RUNTIME;
	}
	c->percpu_buf = calloc((size_t)c->ncpus, sizeof(struct pdtt_value));
	c->obj = variants[v].open(&c->skel);
	if (!c->percpu_buf || !c->obj) {
		snprintf(err, errlen, "BPF object (%s): cannot open: %s", variants[v].name,
			 strerror(errno ? errno : ENOMEM));
		rc = PDTT_EXIT_RUNTIME;
		goto cleanup;
	}
	stats = bpf_object__find_map_by_name(c->obj, "pdtt_stats");
	lost = bpf_object__find_map_by_name(c->obj, "pdtt_lost");
	if (!stats || !lost || bpf_map__set_max_entries(stats, cfg->max_entries)) {
		snprintf(err, errlen, "BPF object: cannot size the stats map");
		rc = PDTT_EXIT_RUNTIME;
		goto cleanup;
	}
	if (bpf_object__load(c->obj)) {
		snprintf(err, errlen,
			 "BPF programs (%s variant): the kernel refused to load them: %s; "
			 "a kernel with eBPF, BTF and cgroup_skb support is needed",
			 variants[v].name, strerror(errno));
		rc = PDTT_EXIT_UNSUPPORTED;
		goto cleanup;
	}
	c->stats_fd = bpf_map__fd(stats);
	c->lost_fd = bpf_map__fd(lost);
	rc = fill_filters(c, cfg, err, errlen);
	if (rc)
		goto cleanup;
	rc = attach(c, cfg->cgroup_path, err, errlen);
	if (rc)
		goto cleanup;
	return 0;
cleanup:
	pdtt_collector_stop(c);
	return rc;
}

int pdtt_collector_read(struct pdtt_collector *c, struct pdtt_snapshot *s)
{
	const struct pdtt_value *pc = c->percpu_buf;
	struct pdtt_key key, next;
	void *prev = NULL;

	pdtt_snapshot_clear(s);
	while (!bpf_map_get_next_key(c->stats_fd, prev, &next)) {
		struct pdtt_value sum = {};

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(c->stats_fd, &key, c->percpu_buf)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		for (int i = 0; i < c->ncpus; i++) {
			sum.rx_bytes += pc[i].rx_bytes;
			sum.rx_packets += pc[i].rx_packets;
			sum.tx_bytes += pc[i].tx_bytes;
			sum.tx_packets += pc[i].tx_packets;
		}
		if (pdtt_snapshot_append(s, &key, &sum))
			return -ENOMEM;
	}
	if (errno != ENOENT)
		return -errno;
	pdtt_snapshot_sort(s);
	return 0;
}

int pdtt_collector_read_lost(struct pdtt_collector *c, struct pdtt_lost_info *lost)
{
	/* percpu_buf holds ncpus values, larger than ncpus struct pdtt_lost. */
	const struct pdtt_lost *pc = c->percpu_buf;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(c->lost_fd, &zero, c->percpu_buf))
		return -errno;
	lost->bytes = lost->packets = 0;
	for (int i = 0; i < c->ncpus; i++) {
		lost->bytes += pc[i].bytes;
		lost->packets += pc[i].packets;
	}
	return 0;
}

void pdtt_collector_stop(struct pdtt_collector *c)
{
	for (int i = 0; i < 2; i++) {
		bpf_link__destroy(c->links[i]);
		c->links[i] = NULL;
	}
	if (c->skel)
		variants[c->variant].destroy(c->skel);
	c->skel = NULL;
	c->obj = NULL;
	free(c->percpu_buf);
	c->percpu_buf = NULL;
	c->stats_fd = c->lost_fd = -1;
}
