// Parses a stream of Kubernetes YAML documents (stdin: `kubectl kustomize` output) and validates every object against
// the Kubernetes OpenAPI schema through the generated validators of kubernetes-models (core, apps, batch, policy, ...)
// and @kubernetes-models/prometheus-operator (ServiceMonitor).
// stdout: {"objects": [...the documents as JSON...], "results": [{"kind","name","error"}]}; error is null when valid.
// An object whose apiVersion/kind has no model is an error too: nothing goes unchecked.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const objects = [];
for (const document of parseAllDocuments(readFileSync(0, "utf8"))) {
  if (document.errors.length > 0) throw new Error(document.errors.map(e => e.message).join("; "));
  const object = document.toJS();
  if (object) objects.push(object);
}
const results = [];
for (const object of objects) {
  const { apiVersion = "", kind = "" } = object;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
    : `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
  let error = null;
  try {
    const Model = (await import(module))[kind];
    if (typeof Model !== "function") throw new Error(`no model ${kind} in ${module}`);
    new Model(object).validate();
  } catch (e) {
    error = e.code === "ERR_MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED"
      ? `no schema for ${apiVersion} ${kind}` : String(e.message ?? e);
  }
  results.push({ kind, name: object.metadata?.name ?? null, error });
}
console.log(JSON.stringify({ objects, results }));
