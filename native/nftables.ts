/**
 * nftables through libnftables (libnftables.so.1, the library behind `nft`) over bun:ffi: apply a
 * ruleset written in `nft -f` syntax — one buffer is one atomic kernel transaction — and list what
 * is loaded, in the calling thread's network namespace or in a given one.
 */
import { CString, FFIType, dlopen, type Pointer } from "bun:ffi";
import { ShoalError } from "../src/lib/index.ts";
import { inNetns } from "./netlink-netns.ts";

const NFT_CTX_DEFAULT = 0;

function openLibnftables() {
  const { i32, u32, ptr, void: none } = FFIType;
  try {
    return dlopen("libnftables.so.1", {
      nft_ctx_new: { args: [u32], returns: ptr },
      nft_ctx_free: { args: [ptr], returns: none },
      nft_ctx_buffer_output: { args: [ptr], returns: i32 },
      nft_ctx_buffer_error: { args: [ptr], returns: i32 },
      nft_ctx_get_output_buffer: { args: [ptr], returns: ptr },
      nft_ctx_get_error_buffer: { args: [ptr], returns: ptr },
      nft_run_cmd_from_buffer: { args: [ptr, ptr], returns: i32 },
    }).symbols;
  } catch (error) {
    throw new ShoalError("unavailable", "cannot load libnftables.so.1: install the nftables packages (Debian: apt-get install nftables libnftables1)", { cause: error });
  }
}

let symbols: ReturnType<typeof openLibnftables> | undefined;

function libnftables(): ReturnType<typeof openLibnftables> {
  symbols ??= openLibnftables();
  return symbols;
}

function readBuffer(text: Pointer | null): string {
  return text ? new CString(text).toString() : "";
}

/** Runs `commands` (nft syntax) with a fresh context in the current namespace; returns the output. */
function run(commands: string, what: string): string {
  const lib = libnftables();
  const context = lib.nft_ctx_new(NFT_CTX_DEFAULT);
  if (!context) throw new ShoalError("internal", `${what}: nft_ctx_new failed`);
  try {
    lib.nft_ctx_buffer_output(context);
    lib.nft_ctx_buffer_error(context);
    const status = lib.nft_run_cmd_from_buffer(context, Buffer.from(`${commands}\0`));
    if (status !== 0) {
      const detail = readBuffer(lib.nft_ctx_get_error_buffer(context) as Pointer | null).trim() || `status ${status}`;
      throw new ShoalError("internal", `${what}: nftables refused the rules:\n${detail}`);
    }
    return readBuffer(lib.nft_ctx_get_output_buffer(context) as Pointer | null);
  } finally {
    lib.nft_ctx_free(context);
  }
}

/**
 * Applies `ruleset` (the text `nft -f` reads) as one transaction, in the namespace at `netnsPath`
 * (null: the calling thread's). On an error nothing of it is applied.
 */
export function applyNftables(ruleset: string, netnsPath?: string | null): void {
  inNetns(netnsPath, () => run(ruleset, "apply nftables ruleset"));
}

/** Runs one nft command (e.g. `list table ip shoal`) and returns its text output. */
export function nftCommand(command: string, netnsPath?: string | null): string {
  return inNetns(netnsPath, () => run(command, `nft ${command}`));
}

/** The whole loaded ruleset as `nft list ruleset` prints it. */
export function listNftables(netnsPath?: string | null): string {
  return nftCommand("list ruleset", netnsPath);
}
