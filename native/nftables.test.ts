import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestNetns, removeNetworkTestLeftovers, removeOwnTestNetns } from "../test/support/network-netns.ts";
import { applyNftables, listNftables, nftCommand } from "./nftables.ts";

let netns: string;

beforeAll(() => {
  removeNetworkTestLeftovers();
  netns = createTestNetns("nft");
});

afterAll(() => removeOwnTestNetns());

const RULESET = `table ip nfttest {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.212.0.0/16 oifname != "x0" masquerade
  }
}
`;

test("applies a ruleset inside a namespace and lists it there only", () => {
  applyNftables(RULESET, netns);
  const listed = listNftables(netns);
  expect(listed).toContain("table ip nfttest");
  expect(listed).toContain('ip saddr 10.212.0.0/16 oifname != "x0" masquerade');
  expect(listNftables()).not.toContain("table ip nfttest");
  expect(nftCommand("list tables", netns)).toBe("table ip nfttest\n");
});

test("replaces a table atomically and reports libnftables' error text, changing nothing", () => {
  applyNftables(`table ip nfttest {}\ndelete table ip nfttest\n${RULESET}`, netns);
  expect(() => applyNftables(`delete table ip nfttest\ntable ip nfttest {\n  chain c {\n    jump nochain\n  }\n}\n`, netns)).toThrow(
    /apply nftables ruleset: nftables refused the rules:\n.*(No such file or directory|Could not process rule)/s,
  );
  expect(listNftables(netns)).toContain("masquerade"); // the failed transaction left the old table
  expect(() => applyNftables("this is not nft", netns)).toThrow(/syntax error/);
  applyNftables("delete table ip nfttest", netns);
  expect(listNftables(netns)).toBe("");
});
