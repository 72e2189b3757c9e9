//! The client's address behind load balancers. `X-Forwarded-For` is read
//! only when the connection comes from a trusted proxy, and then right to
//! left: each hop a trusted proxy appended is skipped, and the first address
//! that no trusted proxy owns is the client. Anything else could be written
//! by the client itself.
use std::net::IpAddr;

use ipnet::IpNet;

/// `10.0.0.0/8, 192.0.2.7` (a bare address is a /32 or /128).
pub fn parse_networks(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not a network (CIDR) or an address"))
        })
        .collect()
}

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    proxies.iter().any(|n| n.contains(&ip))
}

/// The client: `peer` unless it is a trusted proxy, then the rightmost
/// forwarded address that is not one (or the leftmost, if all are).
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], proxies: &[IpNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        client = hop;
        if !trusted(hop, proxies) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = parse_networks("10.0.0.0/8, 192.0.2.7").unwrap();
        // A client that writes the header itself is not believed.
        assert_eq!(
            client_ip(ip("203.0.113.5"), &["1.2.3.4"], &proxies),
            ip("203.0.113.5")
        );
        // Behind one proxy: the address it appended.
        assert_eq!(
            client_ip(ip("10.1.1.1"), &["198.51.100.9"], &proxies),
            ip("198.51.100.9")
        );
        // A forged left part is skipped: right to left, the first untrusted.
        assert_eq!(
            client_ip(
                ip("10.1.1.1"),
                &["1.2.3.4, 198.51.100.9, 192.0.2.7"],
                &proxies
            ),
            ip("198.51.100.9")
        );
        // Several headers are one list.
        assert_eq!(
            client_ip(ip("192.0.2.7"), &["1.2.3.4", "198.51.100.9"], &proxies),
            ip("198.51.100.9")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_ip(ip("10.1.1.1"), &[], &proxies), ip("10.1.1.1"));
        assert_eq!(
            client_ip(ip("10.1.1.1"), &["nonsense"], &proxies),
            ip("10.1.1.1")
        );
        // An IPv4 proxy seen as an IPv4-mapped IPv6 peer.
        assert_eq!(
            client_ip(ip("::ffff:10.1.1.1"), &["198.51.100.9"], &proxies),
            ip("198.51.100.9")
        );
        assert!(parse_networks("10.0.0.0/33").is_err());
        assert!(parse_networks("").unwrap().is_empty());
    }
}
