import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { generateJoinTokens, rotateJoinToken } from "./join-token.ts";
import { roleForJoinToken, verifyRemoteRootCa } from "./join-token-check.ts";

async function swarm() {
  const clock = new FakeClock();
  const { root } = await testCa(clock);
  return { clock, rootCaBundlePem: root.certificatePem, tokens: generateJoinTokens(root.certificatePem) };
}

test("the worker token grants the worker role and the manager token the manager role", async () => {
  const { rootCaBundlePem, tokens } = await swarm();
  expect(roleForJoinToken(tokens.worker, { tokens, rootCaBundlePem })).toBe("worker");
  expect(roleForJoinToken(tokens.manager, { tokens, rootCaBundlePem })).toBe("manager");
  expect(roleForJoinToken(`${tokens.manager}\n`, { tokens, rootCaBundlePem })).toBe("manager");
});

test("after rotating the worker token the old one is refused and the manager token still works", async () => {
  const { rootCaBundlePem, tokens } = await swarm();
  const rotated = { ...tokens, worker: rotateJoinToken(tokens.worker) };
  const error = await caught(() => roleForJoinToken(tokens.worker, { tokens: rotated, rootCaBundlePem }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe("A valid join token is necessary to join this cluster");
  expect(roleForJoinToken(rotated.worker, { tokens: rotated, rootCaBundlePem })).toBe("worker");
  expect(roleForJoinToken(tokens.manager, { tokens: rotated, rootCaBundlePem })).toBe("manager");
});

test("a token of another swarm is refused, even with this swarm's secret", async () => {
  const ours = await swarm();
  const theirs = await swarm();
  const transplanted = `${theirs.tokens.worker.slice(0, 60)}${ours.tokens.worker.slice(60)}`;
  for (const token of [theirs.tokens.worker, theirs.tokens.manager, transplanted]) {
    const error = await caught(() => roleForJoinToken(token, ours));
    expect(error.code).toBe("permission_denied");
    expect(error.message).toBe("A valid join token is necessary to join this cluster");
  }
});

test("a malformed token is refused without saying more", async () => {
  const { rootCaBundlePem, tokens } = await swarm();
  const error = await caught(() => roleForJoinToken("SWMTKN-1-short", { tokens, rootCaBundlePem }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe("A valid join token is necessary to join this cluster");
});

test("a joining node trusts the CA a manager shows only when it matches the token's digest", async () => {
  const ours = await swarm();
  expect(verifyRemoteRootCa(ours.tokens.worker, ours.rootCaBundlePem)).toBe(ours.rootCaBundlePem);
  const impostor = await swarm();
  const error = await caught(() => verifyRemoteRootCa(ours.tokens.worker, impostor.rootCaBundlePem));
  expect(error.code).toBe("failed_precondition");
  expect(error.message).toBe(`remote CA does not match fingerprint. Expected: ${createHash("sha256").update(ours.rootCaBundlePem).digest("hex")}`);
});

test("even one changed byte of the shown bundle breaks the match", async () => {
  const ours = await swarm();
  const error = await caught(() => verifyRemoteRootCa(ours.tokens.worker, ours.rootCaBundlePem + "\n"));
  expect(error.code).toBe("failed_precondition");
});

test("a bundle that matches the token but holds no CA certificate is still refused", async () => {
  const { clock } = await swarm();
  const node = await testNode((await testCa(clock)).signer, clock);
  const tokens = generateJoinTokens(node.leafPem);
  const error = await caught(() => verifyRemoteRootCa(tokens.worker, node.leafPem));
  expect(error.code).toBe("failed_precondition");
  expect(error.message).toContain("holds a certificate that is not a CA");
  const garbage = generateJoinTokens("not pem");
  expect((await caught(() => verifyRemoteRootCa(garbage.worker, "not pem"))).message).toContain("holds no valid certificate");
});

test("a malformed token is refused before the bundle is looked at", async () => {
  const ours = await swarm();
  const error = await caught(() => verifyRemoteRootCa("SWMTKN-1-nope", ours.rootCaBundlePem));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe("invalid join token");
});
