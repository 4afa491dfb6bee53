/** types: the Docker Engine API object model shoal stores, serves and prints. */
export type * from "./system.ts";
