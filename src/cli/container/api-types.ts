/** The parts of the Engine API's container objects the CLI reads (field names as the API's). */

/** A port of a container summary (`GET /containers/json`). */
export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** A row of `GET /containers/json`. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID?: string;
  Command: string;
  Created: number;
  Ports: PortSummary[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State: string;
  Status: string;
  Mounts?: { Name?: string; Source?: string; Driver?: string }[];
  NetworkSettings?: { Networks?: Record<string, unknown> } | null;
}

/** What the CLI reads of `GET /containers/{id}/json`. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Config: { Tty: boolean; OpenStdin?: boolean; AttachStdin?: boolean };
  State?: { Status: string; Running: boolean; ExitCode: number };
}

/** The reply of `POST /containers/create`. */
export interface CreateResponse {
  Id: string;
  Warnings?: string[] | null;
}
