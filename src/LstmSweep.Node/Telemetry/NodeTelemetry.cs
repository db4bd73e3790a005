using LstmSweep.Cluster.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LstmSweep.Node.Telemetry;

/// <summary>
/// OpenTelemetry for a process: metrics (the LstmSweep meter, process and .NET runtime metrics) exported in Prometheus
/// format at /metrics, and, when LSTMSWEEP_OTLP_ENDPOINT is set, traces over OTLP. docs/metrics.md lists the metrics.
/// </summary>
public static class NodeTelemetry
{
    public const string ServiceName = "lstmsweep";
    public const string MetricsPath = "/metrics";
    public const string OtlpEndpointVariable = "LSTMSWEEP_OTLP_ENDPOINT";
    public const string OtlpProtocolVariable = "LSTMSWEEP_OTLP_PROTOCOL";

    /// <summary>service.name lstmsweep, its version, and the node (host:port) as service.instance.id.</summary>
    static ResourceBuilder DescribeNode(this ResourceBuilder resource, string instance)
        => resource.AddService(ServiceName, serviceVersion: LstmSweepMetrics.Version, serviceInstanceId: instance);

    /// <summary>Metrics for a node's web host: served by <see cref="MapMetrics"/>.</summary>
    public static IServiceCollection AddLstmSweepMetrics(this IServiceCollection services, string instance)
    {
        LstmSweepMetrics.EnsureCreated();
        ProcessMetrics.EnsureCreated();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.DescribeNode(instance))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(LstmSweepMetrics.MeterName, ProcessMetrics.MeterName).AddRuntimeInstrumentation();
                // Histograms are the only series recorded synchronously (the rest disappear with their sweep or
                // trial): cap their label sets so a long-lived node cannot grow them without bound.
                foreach (var histogram in LstmSweepMetrics.Histograms)
                    metrics.AddView(histogram, new MetricStreamConfiguration { CardinalityLimit = LstmSweepMetrics.HistogramCardinalityLimit });
                metrics.AddPrometheusExporter();
            });
        return services;
    }

    public static void MapMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint(MetricsPath);

    /// <summary>The OTLP settings (otlp_endpoint, otlp_protocol): null when tracing is off, or an error naming the variable.</summary>
    public static (OtlpSettings? Settings, string? Error) OtlpFromEnvironment() => Otlp(
        NodeOptions.Read("otlp_endpoint"), NodeOptions.Read("otlp_protocol"));

    /// <summary>The OTLP settings from the given values: null when tracing is off, or an error naming the variable.</summary>
    public static (OtlpSettings? Settings, string? Error) Otlp(string? endpoint, string? protocolSetting)
    {
        if (string.IsNullOrWhiteSpace(endpoint)) return (null, null);
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return (null, $"{OtlpEndpointVariable}: '{endpoint}' is not an http(s) URL; give the collector's address, e.g. http://otel-collector:4318");
        var protocolText = protocolSetting?.Trim();
        OtlpExportProtocol protocol;
        switch (protocolText)
        {
            case null or "":
                // 4317 is OTLP's gRPC port; anything else (4318 included) is taken as OTLP over HTTP.
                protocol = uri.Port == 4317 ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                break;
            case "grpc": protocol = OtlpExportProtocol.Grpc; break;
            case "http/protobuf": protocol = OtlpExportProtocol.HttpProtobuf; break;
            default:
                return (null, $"{OtlpProtocolVariable}: '{protocolText}' is not a protocol; use grpc or http/protobuf");
        }
        return (new OtlpSettings(uri, protocol), null);
    }

    /// <summary>Starts exporting the sweep, trial and epoch spans; dispose to flush and stop (at the process's end).</summary>
    public static TracerProvider StartTracing(OtlpSettings settings, string instance)
        => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().DescribeNode(instance))
            .AddSource(LstmSweepTracing.SourceName)
            .AddOtlpExporter(o =>
            {
                o.Protocol = settings.Protocol;
                // Set in code, the endpoint is used as given: over HTTP it must name the traces path itself.
                o.Endpoint = settings.Protocol == OtlpExportProtocol.HttpProtobuf && settings.Endpoint.AbsolutePath is "/" or ""
                    ? new Uri(settings.Endpoint, "v1/traces")
                    : settings.Endpoint;
            })
            .Build()!;
}

public sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol);
