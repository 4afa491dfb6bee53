import { expect, test } from "bun:test";
import { renderBridgeRuleset, renderBridgeRulesetRemoval } from "./bridge-ruleset.ts";

test("renders NAT, published ports, isolation and internal networks as one replacing table", () => {
  const text = renderBridgeRuleset(
    [
      { bridgeName: "shoal0", subnet: "172.17.0.0/16", internal: false },
      { bridgeName: "shbr-abc", subnet: "172.18.0.0/16", internal: true },
    ],
    [
      { hostIp: "0.0.0.0", hostPort: 8080, protocol: "tcp", containerIp: "172.17.0.2", containerPort: 80 },
      { hostIp: "10.0.0.1", hostPort: 53, protocol: "udp", containerIp: "172.17.0.3", containerPort: 5353 },
    ],
  );
  expect(text).toBe(`table ip shoal {}
delete table ip shoal
table ip shoal {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump published_ports
	}
	chain output {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump published_ports
	}
	chain published_ports {
		tcp dport 8080 dnat to 172.17.0.2:80
		ip daddr 10.0.0.1 udp dport 53 dnat to 172.17.0.3:5353
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "shoal0" ip saddr 127.0.0.0/8 masquerade
		ip saddr 172.17.0.0/16 oifname != "shoal0" masquerade
		oifname "shbr-abc" ip saddr 127.0.0.0/8 masquerade
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "shoal0" oifname "shoal0" accept
		iifname "shbr-abc" oifname "shbr-abc" accept
		iifname { "shoal0", "shbr-abc" } oifname { "shoal0", "shbr-abc" } drop
		oifname "shoal0" ct state established,related accept
		oifname "shoal0" ct status dnat accept
		iifname "shoal0" accept
		oifname "shoal0" drop
		iifname "shbr-abc" drop
		oifname "shbr-abc" drop
	}
}
`);
  expect(renderBridgeRulesetRemoval()).toBe("table ip shoal {}\ndelete table ip shoal\n");
});
