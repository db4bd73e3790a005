using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmSweep.Deploy.Tests;

public sealed record SchemaResult(string Kind, string? Name, string? Error);

public sealed record Rendered(string Folder, IReadOnlyList<JsonObject> Objects, IReadOnlyList<SchemaResult> Schema)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind, string name) =>
        Assert.Single(Objects, o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name);

    /// <summary>Deployments, StatefulSets and Jobs: (the object, its pod spec).</summary>
    public IEnumerable<(JsonObject Workload, JsonObject Pod)> Workloads =>
        Objects.Where(o => (string?)o["kind"] is "Deployment" or "StatefulSet" or "Job")
            .Select(o => (o, (JsonObject)o["spec"]!["template"]!["spec"]!));

    /// <summary>A ConfigMap by the name it was generated under (kustomize appends a content hash).</summary>
    public JsonObject GeneratedConfigMap(string name) =>
        Assert.Single(OfKind("ConfigMap"), c => ((string)c["metadata"]!["name"]!).StartsWith(name + "-"));
}

/// <summary>
/// Kubernetes manifests as a cluster would get them: `kubectl kustomize FOLDER`, then parsed and validated against
/// the Kubernetes OpenAPI schema by schema/validate.mjs (npm kubernetes-models, installed once per run into a folder
/// keyed by the lockfile, outside the repository).
/// </summary>
public static class Manifests
{
    public static readonly string Kubectl = Tool.Find("kubectl", "/usr/bin/kubectl", "/usr/local/bin/kubectl");
    static readonly ConcurrentDictionary<string, Lazy<Rendered>> Cache = new();
    static readonly Lazy<string> SchemaTool = new(InstallSchemaTool);

    public static Rendered Render(string folder) => Cache.GetOrAdd(folder, f => new Lazy<Rendered>(() => RenderNow(f))).Value;

    static Rendered RenderNow(string folder)
    {
        var render = Tool.Run(Kubectl, ["kustomize", Path.Combine(Deployment.Root, folder)]);
        Assert.True(render.ExitCode == 0, $"kubectl kustomize {folder} failed (kubectl 1.27 or later is needed):\n{render}");
        var validate = Tool.Run("node", [Path.Combine(SchemaTool.Value, "validate.mjs")], TimeSpan.FromMinutes(2), stdin: render.Stdout);
        Assert.True(validate.ExitCode == 0, validate.ToString());
        var output = JsonNode.Parse(validate.Stdout)!;
        var objects = output["objects"]!.AsArray().Select(o => o!.AsObject()).ToList();
        var results = output["results"]!.Deserialize<List<SchemaResult>>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        return new Rendered(folder, objects, results);
    }

    static string InstallSchemaTool()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "schema");
        var lockfile = File.ReadAllBytes(Path.Combine(source, "package-lock.json"));
        var key = Convert.ToHexString(SHA256.HashData(lockfile))[..16].ToLowerInvariant();
        var folder = Path.Combine(Path.GetTempPath(), $"lstmsweep-deploy-schema-{key}");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "package.json", "package-lock.json", "validate.mjs" })
            File.Copy(Path.Combine(source, file), Path.Combine(folder, file), overwrite: true);
        if (!File.Exists(Path.Combine(folder, "node_modules", ".package-lock.json")))
        {
            var install = Tool.Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(5), workingDirectory: folder);
            Assert.True(install.ExitCode == 0, "npm ci of the schema validator failed (node and npm are needed; .ci/run installs them):\n" + install);
        }
        return folder;
    }

    // ---- reading objects

    public static IEnumerable<JsonObject> Containers(JsonObject pod) =>
        (pod["containers"]?.AsArray() ?? []).Concat(pod["initContainers"]?.AsArray() ?? []).Select(c => c!.AsObject());

    /// <summary>A container's environment: its env values and the data of the ConfigMaps it takes envFrom.</summary>
    public static Dictionary<string, JsonObject?> Environment(Rendered rendered, JsonObject container)
    {
        var env = new Dictionary<string, JsonObject?>();
        foreach (var from in container["envFrom"]?.AsArray() ?? [])
        {
            if (from!["configMapRef"]?["name"] is not { } name) continue;
            var map = rendered.Single("ConfigMap", (string)name!);
            foreach (var (k, v) in map["data"]!.AsObject()) env[k] = new JsonObject { ["value"] = v!.DeepClone() };
        }
        foreach (var item in container["env"]?.AsArray() ?? []) env[(string)item!["name"]!] = item.AsObject();
        return env;
    }

    public static string? Value(Dictionary<string, JsonObject?> env, string name) =>
        env.TryGetValue(name, out var item) ? (string?)item?["value"] : null;

    public static string[] Args(JsonObject container) =>
        (container["args"]?.AsArray() ?? []).Select(a => (string)a!).ToArray();

    public static bool IsNode(JsonObject container) => Args(container) is ["node", ..];
}
