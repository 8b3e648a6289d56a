SELECT uid, netns_cookie, ifindex, rx_bytes, rx_packets, tx_bytes, tx_packets
FROM baseline;
