/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Who a packet counts for, as pure decisions: shared by the BPF programs
 * (pdtt.bpf.c) and the unit tests.  The record is struct pdtt_owner. */
#ifndef PDTT_OWNER_H
#define PDTT_OWNER_H

#include "pdtt.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* TCP sequence order, modulo 2^32. */
static __always_inline int pdtt_seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

/* Where a packet on a user's socket goes. */
enum pdtt_route {
	PDTT_CHARGE_NOW,    /* to the record's uid */
	PDTT_CHARGE_BY_SEQ, /* sent TCP data: pdtt_segment_owner() */
	PDTT_WAIT,	    /* into the record: the next task that uses the socket */
};

/* egress: sent; tcp: a TCP segment; payload: it carries data; closed: the
 * socket was released or orphaned, so no task will use it again. */
static __always_inline enum pdtt_route pdtt_route_packet(int egress, int tcp, int payload,
							 int closed)
{
	if (egress && tcp && payload)
		return PDTT_CHARGE_BY_SEQ;
	if (closed)
		return PDTT_CHARGE_NOW;
	/* An ACK of what this socket sent belongs to whoever sent it. */
	if (!egress && tcp && !payload)
		return PDTT_CHARGE_NOW;
	return PDTT_WAIT;
}

/* Owner of a sent TCP segment starting at seq: data queued before the last
 * change of user (tx_seq) is the previous user's, until snd_una passes
 * tx_seq; then *boundary_done says the record may forget tx_seq. */
static __always_inline __u32 pdtt_segment_owner(const struct pdtt_owner *o, __u32 snd_una,
						__u32 seq, int *boundary_done)
{
	*boundary_done = 0;
	if (!(o->flags & PDTT_OWNER_SEQ))
		return o->uid;
	if (!pdtt_seq_before(snd_una, o->tx_seq)) {
		*boundary_done = 1;
		return o->uid;
	}
	return pdtt_seq_before(seq, o->tx_seq) ? o->prev_uid : o->uid;
}

/* A task of uid uses the socket, whose TCP write_seq is now write_seq
 * (tcp: 0 for other sockets): it becomes the owner.  Returns the flags to
 * set, which the caller ORs in atomically (packets change flags too). */
static __always_inline __u32 pdtt_owner_change(struct pdtt_owner *o, __u32 uid, int tcp,
					       __u32 write_seq)
{
	if (o->uid == uid)
		return 0;
	o->prev_uid = o->uid;
	o->uid = uid;
	if (!tcp)
		return 0;
	/* TCP data the previous owner queued still leaves as theirs. */
	o->tx_seq = write_seq;
	return PDTT_OWNER_SEQ;
}

#endif
