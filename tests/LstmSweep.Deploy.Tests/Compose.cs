using YamlDotNet.RepresentationModel;

namespace LstmSweep.Deploy.Tests;

/// <summary>docker-compose.yml as docker-compose itself reads it (`docker-compose config`: variables substituted, anchors merged).</summary>
public static class Compose
{
    public static ToolResult Config(IReadOnlyDictionary<string, string>? environment = null, params string[] files)
    {
        var args = new List<string>();
        foreach (var file in files.Length == 0 ? [Deployment.ComposePath] : files) args.AddRange(["-f", file]);
        args.Add("config");
        return Tool.Run(DockerFixture.Compose, args, TimeSpan.FromMinutes(1), environment: environment);
    }

    public static YamlMappingNode Services(string configOutput)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(configOutput));
        return (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"];
    }

    public static YamlMappingNode Service(this YamlMappingNode services, string name) => (YamlMappingNode)services[name];

    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Text(this YamlNode? node) => (node as YamlScalarNode)?.Value;

    /// <summary>Volumes as docker-compose 1.29 prints them: SOURCE:TARGET[:MODE].</summary>
    public static List<(string Source, string Target)> Volumes(this YamlMappingNode service) =>
        service.Get("volumes") is YamlSequenceNode volumes
            ? volumes.Select(v => v.Text()!.Split(':')).Select(p => (p[0], p[1])).ToList()
            : [];

    public static Dictionary<string, string> Environment(this YamlMappingNode service) =>
        service.Get("environment") is YamlMappingNode env
            ? env.Children.ToDictionary(c => c.Key.Text()!, c => c.Value.Text() ?? "")
            : [];
}
