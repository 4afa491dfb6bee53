import { expect, test } from "bun:test";
import { Template } from "./template.ts";

const data = {
  Name: "/web",
  State: { Status: "running", Running: true, ExitCode: 0 },
  Config: { Labels: { "com.example.tier": "front", b: "2" }, Env: ["A=1", "B=2"] },
  NetworkSettings: { Networks: { bridge: { IPAddress: "172.17.0.2" }, app: { IPAddress: "10.0.0.5" } } },
  Mounts: [] as unknown[],
};

test("templates read fields, call functions and pipelines as Go's text/template does", () => {
  const render = (source: string) => new Template(source).execute(data);
  expect(render("{{.State.Status}}")).toBe("running");
  expect(render("{{json .State}}")).toBe('{"Status":"running","Running":true,"ExitCode":0}');
  expect(render('{{index .Config.Labels "com.example.tier"}}')).toBe("front");
  expect(render("{{range $name, $net := .NetworkSettings.Networks}}{{$name}}={{$net.IPAddress}} {{end}}")).toBe("app=10.0.0.5 bridge=172.17.0.2 ");
  expect(render("{{range .Config.Env}}[{{.}}]{{end}}")).toBe("[A=1][B=2]");
  expect(render('{{join .Config.Env ","}}')).toBe("A=1,B=2");
  expect(render("{{.Name | upper}}")).toBe("/WEB");
  expect(render("{{if .State.Running}}up{{else}}down{{end}}")).toBe("up");
  expect(render("{{range .Mounts}}x{{else}}none{{end}}")).toBe("none");
  expect(render("{{with .State}}{{.ExitCode}}{{end}}")).toBe("0");
  expect(render("{{.Config.Labels}}")).toBe("map[b:2 com.example.tier:front]");
  expect(render("{{.Missing}}")).toBe("<no value>");
  expect(render("a {{- .State.Status -}} b")).toBe("arunningb");
  expect(render('{{printf "%s:%d" .State.Status .State.ExitCode}}')).toBe("running:0");
});

test("a bad template is an error", () => {
  expect(() => new Template("{{.Name")).toThrow("unclosed action");
  expect(() => new Template("{{nosuch .Name}}")).toThrow('function "nosuch" not defined');
  expect(() => new Template("{{if .Name}}x")).toThrow("unexpected EOF");
});
