import { describe, expect, test } from "bun:test";
import { ShoalError } from "../../lib/index.ts";
import { matchesConstraints, parseConstraints } from "./constraints.ts";
import { testNode } from "./test-fixtures.ts";

function parseError(expression: string): ShoalError {
  try {
    parseConstraints([expression]);
  } catch (error) {
    return error as ShoalError;
  }
  throw new Error(`"${expression}" parsed`);
}

function matches(expressions: string[], node = testNode("n1")): boolean {
  return matchesConstraints(node, parseConstraints(expressions));
}

describe("parseConstraints", () => {
  test("parses key, operator and value, trimming spaces around them", () => {
    expect(parseConstraints(["node.labels.zone==east", " node.role != manager ", "engine.labels.os==ubuntu 14.04"])).toEqual([
      { key: "node.labels.zone", operator: "==", value: "east" },
      { key: "node.role", operator: "!=", value: "manager" },
      { key: "engine.labels.os", operator: "==", value: "ubuntu 14.04" },
    ]);
    expect(parseConstraints([])).toEqual([]);
  });

  test("refuses bad expressions with SwarmKit's texts, as invalid_argument", () => {
    const cases: [string, string][] = [
      ["node.role=manager", "constraint expected one operator from ==, !="],
      ["", "constraint expected one operator from ==, !="],
      ["node.role>manager", "constraint expected one operator from ==, !="],
      ["==manager", "key '' is invalid"],
      ["n==x", "key 'n' is invalid"],
      ["node role==x", "key 'node role' is invalid"],
      ["'node.role'==manager", "key ''node.role'' is invalid"],
      ["node.role==", "value '' is invalid"],
      ["node.role==a!=b", "value 'a!=b' is invalid"],
      ["node.labels.x==a=b", "value 'a=b' is invalid"],
      ["node.labels.x==a<b", "value 'a<b' is invalid"],
    ];
    for (const [expression, message] of cases) {
      const error = parseError(expression);
      expect(error).toBeInstanceOf(ShoalError);
      expect(error.code).toBe("invalid_argument");
      expect(error.message).toBe(message);
    }
  });

  test("one bad expression among good ones fails the whole list", () => {
    expect(() => parseConstraints(["node.role==worker", "zone"])).toThrow("constraint expected one operator from ==, !=");
  });
});

describe("matchesConstraints", () => {
  const node = testNode("abc123", {
    spec: { Role: "manager" },
    labels: { zone: "East", "rack.id": "r1" },
    engineLabels: { os: "ubuntu 14.04" },
    description: { Hostname: "Node-1", Platform: { OS: "linux", Architecture: "aarch64" } },
    status: { Addr: "10.1.2.3" },
  });

  test("node attributes compare whole and case-insensitively", () => {
    expect(matches(["node.id==abc123"], node)).toBe(true);
    expect(matches(["node.id==abc"], node)).toBe(false);
    expect(matches(["node.hostname==node-1"], node)).toBe(true);
    expect(matches(["node.hostname!=node-1"], node)).toBe(false);
    expect(matches(["node.role==MANAGER"], node)).toBe(true);
    expect(matches(["node.role==worker"], node)).toBe(false);
    expect(matches(["node.platform.os==Linux"], node)).toBe(true);
    expect(matches(["node.platform.arch==aarch64"], node)).toBe(true);
    expect(matches(["node.platform.arch!=x86_64"], node)).toBe(true);
  });

  test("keys are case-insensitive but label names are not", () => {
    expect(matches(["NODE.Labels.zone==east"], node)).toBe(true);
    expect(matches(["node.labels.Zone==east"], node)).toBe(false);
    expect(matches(["node.labels.rack.id==r1"], node)).toBe(true);
    expect(matches(["Engine.Labels.os==Ubuntu 14.04"], node)).toBe(true);
  });

  test("a missing label reads as empty: == fails, != holds", () => {
    expect(matches(["node.labels.gpu==true"], node)).toBe(false);
    expect(matches(["node.labels.gpu!=true"], node)).toBe(true);
    expect(matches(["engine.labels.gpu!=true"], testNode("plain"))).toBe(true);
    expect(matches(["engine.labels.gpu==true"], testNode("plain"))).toBe(false);
  });

  test("an unknown key matches no node, whatever the operator", () => {
    expect(matches(["node.name==x"], node)).toBe(false);
    expect(matches(["node.name!=x"], node)).toBe(false);
    expect(matches(["node.labels==x"], node)).toBe(false);
  });

  test("node.ip takes an address or a subnet; a malformed one matches nothing", () => {
    expect(matches(["node.ip==10.1.2.3"], node)).toBe(true);
    expect(matches(["node.ip!=10.1.2.3"], node)).toBe(false);
    expect(matches(["node.ip==10.1.0.0/16"], node)).toBe(true);
    expect(matches(["node.ip!=10.2.0.0/16"], node)).toBe(true);
    expect(matches(["node.ip==10.1.2.300"], node)).toBe(false);
    expect(matches(["node.ip!=10.1.2.300"], node)).toBe(false);
  });

  test("every constraint must hold", () => {
    expect(matches(["node.role==manager", "node.labels.zone==east"], node)).toBe(true);
    expect(matches(["node.role==manager", "node.labels.zone==west"], node)).toBe(false);
    expect(matches([], node)).toBe(true);
  });
});
