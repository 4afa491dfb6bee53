/** SwarmKit's store error for a taken name, as the docker CLI prints it after a gRPC hop. */
export const NAME_CONFLICT = "name conflicts with an existing object";

/** Docker's text for a name conflict, with the control API's own wording `desc` when it has one. */
export function alreadyExists(desc: string = NAME_CONFLICT): string {
  return `rpc error: code = AlreadyExists desc = ${desc}`;
}
