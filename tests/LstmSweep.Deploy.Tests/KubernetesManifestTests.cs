using System.Text.Json.Nodes;
using static LstmSweep.Deploy.Tests.Manifests;

namespace LstmSweep.Deploy.Tests;

/// <summary>
/// k8s/: every overlay and the batch Jobs rendered by `kubectl kustomize` and validated against the Kubernetes schema,
/// then the invariants a schema cannot see but a deployment breaks on. There is no Kubernetes cluster here.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Folders => new() { "k8s/base", "k8s/overlays/dev", "k8s/overlays/gpu", "k8s/batch" };
    public static TheoryData<string> Clusters => new() { "k8s/base", "k8s/overlays/dev", "k8s/overlays/gpu" };

    [Theory, MemberData(nameof(Folders))]
    public void EveryObjectRendersAndIsValidAgainstTheKubernetesSchema(string folder)
    {
        var rendered = Render(folder);
        Assert.NotEmpty(rendered.Objects);
        Assert.Equal(rendered.Objects.Count, rendered.Schema.Count);
        var invalid = rendered.Schema.Where(r => r.Error is not null).Select(r => $"{r.Kind} {r.Name}: {r.Error}").ToList();
        Assert.True(invalid.Count == 0, string.Join("\n", invalid));
    }

    [Fact]
    public void TheSchemaCheckRejectsABrokenObject()
    {
        // The validator itself: a Deployment with a string for replicas and a probe without a port must fail, and a
        // kind it has no schema for is an error, not a pass.
        var folder = Directory.CreateTempSubdirectory("lstmsweep-k8s-broken-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "kustomization.yaml"), "resources: [broken.yaml]\n");
            File.WriteAllText(Path.Combine(folder, "broken.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  replicas: two
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          livenessProbe: {httpGet: {path: /healthz}}
                ---
                apiVersion: example.com/v1
                kind: Unheard
                metadata: {name: unheard}
                """);
            var rendered = Render(folder);
            Assert.Contains("replicas must be integer", rendered.Schema.Single(r => r.Kind == "Deployment").Error);
            Assert.Contains("no schema", rendered.Schema.Single(r => r.Kind == "Unheard").Error);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory, MemberData(nameof(Folders))]
    public void EveryLSTMSWEEPVariableSetIsOneTheCodeReads(string folder)
    {
        var rendered = Render(folder);
        var unknown = new List<string>();
        foreach (var (workload, pod) in rendered.Workloads)
            foreach (var container in Containers(pod))
                foreach (var name in Environment(rendered, container).Keys.Where(k => k.StartsWith("LSTMSWEEP_")))
                    if (!Deployment.KnownVariables.Contains(name)) unknown.Add($"{workload["metadata"]!["name"]}/{container["name"]}: {name}");
        Assert.True(unknown.Count == 0, "not read by the code: " + string.Join(", ", unknown));
    }

    [Theory, MemberData(nameof(Clusters))]
    public void TheSeedIsTheCoordinatorPodThroughItsHeadlessServiceOnTheAkkaPort(string folder)
    {
        var rendered = Render(folder);
        var coordinator = Assert.Single(rendered.OfKind("StatefulSet"), s => Containers(Pod(s)).Any(c => Roles(rendered, c).Contains("coordinator")));
        var container = Containers(Pod(coordinator)).Single(IsNode);
        var env = Environment(rendered, container);
        var statefulSet = (string)coordinator["metadata"]!["name"]!;
        var serviceName = (string)coordinator["spec"]!["serviceName"]!;
        var akkaPort = int.Parse(Value(env, "LSTMSWEEP_PORT") ?? Deployment.AkkaPort.ToString());
        Assert.Equal(Deployment.AkkaPort, akkaPort);

        // The coordinator advertises <pod>.<service>; the seed is pod 0 by the same name, so the two strings match.
        Assert.Equal($"$(POD_NAME).{serviceName}", Value(env, "LSTMSWEEP_HOST"));
        Assert.Equal("metadata.name", (string?)env["POD_NAME"]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
        var seed = $"{statefulSet}-0.{serviceName}:{akkaPort}";
        Assert.Equal(1, (int)coordinator["spec"]!["replicas"]!);

        var service = rendered.Single("Service", serviceName);
        Assert.Equal("None", (string?)service["spec"]!["clusterIP"]);
        Assert.True((bool?)service["spec"]!["publishNotReadyAddresses"] == true, "the seed must resolve before the pod is ready");
        Assert.True(Selects(service, coordinator), $"Service {serviceName} does not select the coordinator's pods");
        Assert.Contains(service["spec"]!["ports"]!.AsArray(), p => (int)p!["port"]! == akkaPort);
        Assert.Contains(container["ports"]!.AsArray(), p => (int)p!["containerPort"]! == akkaPort);

        foreach (var (workload, pod) in rendered.Workloads)
            foreach (var node in Containers(pod).Where(IsNode))
            {
                var nodeEnv = Environment(rendered, node);
                Assert.Equal(seed, Value(nodeEnv, "LSTMSWEEP_SEEDS"));
                Assert.Equal(akkaPort, int.Parse(Value(nodeEnv, "LSTMSWEEP_PORT")!));
            }
        var worker = rendered.Single("Deployment", "lstmsweep-worker");
        var workerEnv = Environment(rendered, Containers(Pod(worker)).Single(IsNode));
        Assert.Equal("worker", Value(workerEnv, "LSTMSWEEP_ROLES"));
        Assert.Equal("status.podIP", (string?)workerEnv["LSTMSWEEP_HOST"]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
    }

    [Theory, MemberData(nameof(Folders))]
    public void EveryContainerHasResourcesANonRootContextAndNodesProbePathsTheNodeServes(string folder)
    {
        var rendered = Render(folder);
        var problems = new List<string>();
        foreach (var (workload, pod) in rendered.Workloads)
        {
            var where = $"{workload["kind"]} {workload["metadata"]!["name"]}";
            if ((bool?)pod["securityContext"]?["runAsNonRoot"] != true) problems.Add($"{where}: runAsNonRoot is not true");
            if ((int?)pod["securityContext"]?["runAsUser"] is not > 0) problems.Add($"{where}: no non-zero runAsUser");
            foreach (var container in Containers(pod))
            {
                var at = $"{where}/{container["name"]}";
                foreach (var part in new[] { "requests", "limits" })
                    foreach (var resource in new[] { "cpu", "memory" })
                        if (container["resources"]?[part]?[resource] is null) problems.Add($"{at}: no {part}.{resource}");
                if ((bool?)container["securityContext"]?["allowPrivilegeEscalation"] != false) problems.Add($"{at}: allowPrivilegeEscalation is not false");
                if (container["securityContext"]?["capabilities"]?["drop"]?.AsArray().Any(c => (string?)c == "ALL") != true) problems.Add($"{at}: capabilities not dropped");
                if ((string?)container["image"] is "lstmsweep:latest" or "lstmsweep:cuda" && (int?)pod["securityContext"]!["runAsUser"] != Deployment.ImageUser.Uid)
                    problems.Add($"{at}: runAsUser is not the image's user {Deployment.ImageUser.Uid}");
                if (!IsNode(container)) continue;

                var env = Environment(rendered, container);
                var httpPort = int.Parse(Value(env, "LSTMSWEEP_HTTP_PORT")!);
                if (httpPort != Deployment.HttpPort) problems.Add($"{at}: LSTMSWEEP_HTTP_PORT {httpPort}, the node's default is {Deployment.HttpPort}");
                var httpPortName = container["ports"]?.AsArray().FirstOrDefault(p => (int)p!["containerPort"]! == httpPort)?["name"];
                if (httpPortName is null) problems.Add($"{at}: no containerPort {httpPort}");
                foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/ready") })
                {
                    var get = container[probe]?["httpGet"];
                    if (get is null) { problems.Add($"{at}: no {probe} httpGet"); continue; }
                    if ((string?)get["path"] != path) problems.Add($"{at}: {probe} on {get["path"]}, expected {path}");
                    if (!Deployment.ServedPaths.Contains((string)get["path"]!)) problems.Add($"{at}: {probe} path {get["path"]} is not served by the node");
                    var port = get["port"]!.ToString();
                    if (port != httpPort.ToString() && port != (string?)httpPortName) problems.Add($"{at}: {probe} on port {port}, not the HTTP port");
                }
                var grace = (int?)pod["terminationGracePeriodSeconds"] ?? 30;
                if (grace < 45) problems.Add($"{where}: terminationGracePeriodSeconds {grace} is too short for the graceful leave");
                if (container["lifecycle"]?["preStop"] is null) problems.Add($"{at}: no preStop");
                var annotations = workload["spec"]!["template"]!["metadata"]?["annotations"];
                if ((string?)annotations?["prometheus.io/scrape"] != "true" || (string?)annotations?["prometheus.io/port"] != httpPort.ToString()
                    || !Deployment.ServedPaths.Contains((string?)annotations?["prometheus.io/path"] ?? ""))
                    problems.Add($"{where}: prometheus.io annotations do not name the HTTP port and /metrics");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory, MemberData(nameof(Clusters))]
    public void DisruptionBudgetsCoverTheNodesAndTheServiceMonitorFindsEveryNode(string folder)
    {
        var rendered = Render(folder);
        var budgets = rendered.OfKind("PodDisruptionBudget").ToList();
        foreach (var name in new[] { ("StatefulSet", "lstmsweep-coordinator"), ("Deployment", "lstmsweep-worker") })
        {
            var workload = rendered.Single(name.Item1, name.Item2);
            Assert.Contains(budgets, b => Matches(b["spec"]!["selector"]!["matchLabels"]!.AsObject(), Labels(workload)));
        }
        var monitor = Assert.Single(rendered.OfKind("ServiceMonitor"));
        var service = Assert.Single(rendered.OfKind("Service"), s => Matches(monitor["spec"]!["selector"]!["matchLabels"]!.AsObject(), s["metadata"]!["labels"]!.AsObject()));
        var endpoint = monitor["spec"]!["endpoints"]![0]!;
        Assert.True(Deployment.ServedPaths.Contains((string)endpoint["path"]!));
        Assert.Contains(service["spec"]!["ports"]!.AsArray(), p => (string?)p!["name"] == (string?)endpoint["port"] && (int)p["port"]! == Deployment.HttpPort);
        foreach (var (workload, _) in rendered.Workloads.Where(w => Containers(w.Pod).Any(IsNode)))
            Assert.True(Selects(service, workload), $"the metrics Service misses {workload["metadata"]!["name"]}");
    }

    [Theory, MemberData(nameof(Clusters))]
    public void TheGrafanaConfigMapHoldsExactlyTheDashboardsOfDeployGrafana(string folder)
    {
        var map = Render(folder).GeneratedConfigMap("lstmsweep-grafana-dashboards");
        Assert.Equal("1", (string?)map["metadata"]!["labels"]!["grafana_dashboard"]);
        var data = map["data"]!.AsObject();
        var files = Directory.GetFiles(Deployment.DashboardsFolder, "*.json").ToDictionary(Path.GetFileName, File.ReadAllText);
        Assert.Equal(files.Keys.Order(), data.Select(d => d.Key).Order());
        foreach (var (name, text) in files) Assert.Equal(text, (string)data[name!]!);
    }

    [Fact]
    public void TheDevOverlayIsSmallAndTheGpuOverlayPutsOneGPUPerWorkerOnGPUNodes()
    {
        var dev = Render("k8s/overlays/dev").Single("Deployment", "lstmsweep-worker");
        Assert.Equal(1, (int)dev["spec"]!["replicas"]!);
        var baseWorker = Render("k8s/base").Single("Deployment", "lstmsweep-worker");
        Assert.True(Memory(dev) < Memory(baseWorker), "dev workers should ask for less memory than base ones");

        var gpu = Render("k8s/overlays/gpu").Single("Deployment", "lstmsweep-worker");
        var pod = Pod(gpu);
        var container = Containers(pod).Single(IsNode);
        Assert.Equal("1", container["resources"]!["limits"]!["nvidia.com/gpu"]!.ToString());
        Assert.Equal("lstmsweep:cuda", (string?)container["image"]);
        Assert.NotNull(pod["nodeSelector"]);
        Assert.Contains(pod["tolerations"]!.AsArray(), t => (string?)t!["key"] == "nvidia.com/gpu" && (string?)t["effect"] == "NoSchedule");
        Assert.Equal("1", Value(Environment(Render("k8s/overlays/gpu"), container), "LSTMSWEEP_SLOTS"));
        // The coordinator needs no GPU.
        var coordinator = Containers(Pod(Render("k8s/overlays/gpu").Single("StatefulSet", "lstmsweep-coordinator"))).Single();
        Assert.Null(coordinator["resources"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public void TheNodeImagesAndPortsAgreeWithTheDockerfile()
    {
        Assert.Equal(new HashSet<int> { Deployment.AkkaPort, Deployment.HttpPort }, Deployment.ExposedPorts);
        Assert.Equal(Deployment.AkkaPort.ToString(), Deployment.DockerfileEnv("LSTMSWEEP_PORT"));
        Assert.Equal(Deployment.HttpPort.ToString(), Deployment.DockerfileEnv("LSTMSWEEP_HTTP_PORT"));
        var rendered = Render("k8s/base");
        foreach (var (_, pod) in rendered.Workloads)
            foreach (var container in Containers(pod).Where(IsNode))
            {
                Assert.Equal("lstmsweep:latest", (string?)container["image"]);
                Assert.Equal(new[] { Deployment.AkkaPort, Deployment.HttpPort }, container["ports"]!.AsArray().Select(p => (int)p!["containerPort"]!).Order());
            }
        Assert.All(Render("k8s/batch").Workloads, w => Assert.Equal("lstmsweep:latest", (string?)Containers(w.Pod).Single()["image"]));
    }

    static JsonObject Pod(JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();
    static JsonObject Labels(JsonObject workload) => workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
    static bool Matches(JsonObject selector, JsonObject labels) => selector.All(s => (string?)labels[s.Key] == (string?)s.Value);
    static bool Selects(JsonObject service, JsonObject workload) => Matches(service["spec"]!["selector"]!.AsObject(), Labels(workload));
    static string[] Roles(Rendered rendered, JsonObject container) => (Value(Environment(rendered, container), "LSTMSWEEP_ROLES") ?? "").Split(',');

    static double Memory(JsonObject workload)
    {
        var text = (string)Containers(Pod(workload)).Single(IsNode)["resources"]!["requests"]!["memory"]!;
        return text.EndsWith("Gi") ? double.Parse(text[..^2]) * 1024 : double.Parse(text[..^2]);
    }
}
