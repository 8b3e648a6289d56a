/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Wire-size arithmetic shared by the BPF programs and the unit tests.
 *
 * pdtt counts IP-layer bytes as they cross the wire.  A GSO (egress) or GRO
 * (ingress) super-packet of N segments stands for N wire packets, each of
 * which carries its own IP and transport header, so it counts N packets and
 * len + (N - 1) * header bytes. */
#ifndef PDTT_WIRE_H
#define PDTT_WIRE_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define PDTT_IPPROTO_TCP 6
#define PDTT_IPPROTO_UDP 17
#define PDTT_IPV6_HDR_LEN 40
#define PDTT_UDP_HDR_LEN 8

static __always_inline __u32 pdtt_wire_segments(__u32 gso_segs)
{
	return gso_segs > 1 ? gso_segs : 1;
}

static __always_inline __u64 pdtt_wire_bytes(__u32 len, __u32 segs, __u32 hdr_len)
{
	if (segs <= 1)
		return len;
	return (__u64)len + (__u64)(segs - 1) * hdr_len;
}

/* Header length of the IP packet's transport header given its protocol
 * and, for TCP, the byte holding the data offset (offset 12 of the header). */
static __always_inline __u32 pdtt_l4_hdr_len(__u8 proto, __u8 tcp_doff_byte)
{
	if (proto == PDTT_IPPROTO_TCP)
		return (__u32)(tcp_doff_byte >> 4) * 4;
	if (proto == PDTT_IPPROTO_UDP)
		return PDTT_UDP_HDR_LEN;
	return 0;
}

/* IP header length from the first byte of the packet; 0 if not IPv4/IPv6.
 * IPv6 extension headers are not walked: GSO packets carry none in practice. */
static __always_inline __u32 pdtt_l3_hdr_len(__u8 first_byte)
{
	__u8 version = first_byte >> 4;

	if (version == 4)
		return (__u32)(first_byte & 0x0f) * 4;
	if (version == 6)
		return PDTT_IPV6_HDR_LEN;
	return 0;
}

#endif
