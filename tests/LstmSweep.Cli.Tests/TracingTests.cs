using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LstmSweep.Cli.Tests;

/// <summary>
/// LSTMSWEEP_OTLP_ENDPOINT: `lstmsweep run` exports its spans over OTLP/HTTP to a collector, here a loopback listener
/// of the test that decodes what it receives (the OTLP protobuf, read by <see cref="OtlpSpans"/>).
/// </summary>
public class TracingTests
{
    [Fact]
    public async Task ATracedRunExportsOneTraceOfSweepTrialAndEpochSpans()
    {
        using var dir = new ScratchDirectory();
        using var collector = new OtlpCollector();
        var spec = dir.Write("counter.yaml", Specs.Counter(epochs: 15));
        var env = new Dictionary<string, string> { ["LSTMSWEEP_OTLP_ENDPOINT"] = collector.Endpoint, ["LSTMSWEEP_OTLP_PROTOCOL"] = "http/protobuf" };

        var run = CliProcess.Run(dir.Path, env, TimeSpan.FromMinutes(3), "run", spec, "--output", "json", "--db", "sqlite:" + dir.File_("s.db"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var sweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sweep_id").GetString()!;
        var spans = await collector.WaitForSpansAsync(s => s.Count(x => x.Name == "epoch") >= 60, TimeSpan.FromSeconds(30));
        Assert.Equal("/v1/traces", collector.Paths.Distinct().Single());

        var sweep = Assert.Single(spans, s => s.Name == "sweep");
        Assert.Equal(sweepId, sweep.Attributes["lstmsweep.sweep"]);
        Assert.Equal("completed", sweep.Attributes["lstmsweep.status"]);
        var trials = spans.Where(s => s.Name == "trial").ToList();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(sweep.SpanId, t.ParentSpanId));
        Assert.Equal(["0", "1", "2", "3"], trials.Select(t => t.Attributes["lstmsweep.trial"]).Order());
        var epochs = spans.Where(s => s.Name == "epoch").ToList();
        Assert.Equal(60, epochs.Count); // 4 trials × 15 epochs, each under its trial
        Assert.All(trials, t => Assert.Equal(15, epochs.Count(e => e.ParentSpanId == t.SpanId)));
        Assert.All(spans, s => Assert.Equal(sweep.TraceId, s.TraceId));
        Assert.All(spans, s => Assert.True(s.EndUnixNanos >= s.StartUnixNanos));
    }

    [Fact]
    public void AMalformedOTLPEndpointIsBadInputAndNothingIsWritten()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("counter.yaml", Specs.Counter());
        var db = dir.File_("s.db");
        var env = new Dictionary<string, string> { ["LSTMSWEEP_OTLP_ENDPOINT"] = "collector:4318" };

        var run = CliProcess.Run(dir.Path, env, TimeSpan.FromMinutes(1), "run", spec, "--db", "sqlite:" + db);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("LSTMSWEEP_OTLP_ENDPOINT", run.Stderr);
        Assert.Contains("http", run.Stderr);
        Assert.False(File.Exists(db));
    }

    /// <summary>An OTLP/HTTP "collector" on a free loopback port: keeps every span it is sent.</summary>
    sealed class OtlpCollector : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly List<OtlpSpans.Span> _spans = new();
        readonly CancellationTokenSource _stop = new();
        public List<string> Paths { get; } = new();
        public string Endpoint { get; }

        public OtlpCollector()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Endpoint = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (_spans)
                {
                    Paths.Add(context.Request.Url!.AbsolutePath);
                    _spans.AddRange(OtlpSpans.Read(body.ToArray()));
                }
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public async Task<List<OtlpSpans.Span>> WaitForSpansAsync(Func<List<OtlpSpans.Span>, bool> enough, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                lock (_spans) if (enough(_spans) || DateTime.UtcNow > deadline) return _spans.ToList();
                await Task.Delay(100);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
        }
    }
}

/// <summary>
/// Just enough of the protobuf wire format to read OTLP's ExportTraceServiceRequest: resource_spans(1) →
/// scope_spans(2) → spans(2) with trace_id(1), span_id(2), parent_span_id(4), name(5), start(7), end(8) and
/// string/int/double/bool attributes(9).
/// </summary>
static class OtlpSpans
{
    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, ulong StartUnixNanos,
        ulong EndUnixNanos, Dictionary<string, string> Attributes);

    public static IEnumerable<Span> Read(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        foreach (var scopeSpans in Fields(resourceSpans.Bytes!).Where(f => f.Number == 2))
        foreach (var span in Fields(scopeSpans.Bytes!).Where(f => f.Number == 2))
            yield return ReadSpan(span.Bytes!);
    }

    static Span ReadSpan(byte[] bytes)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        ulong start = 0, end = 0;
        var attributes = new Dictionary<string, string>();
        foreach (var f in Fields(bytes))
        {
            switch (f.Number)
            {
                case 1: traceId = Convert.ToHexString(f.Bytes!); break;
                case 2: spanId = Convert.ToHexString(f.Bytes!); break;
                case 4: parent = Convert.ToHexString(f.Bytes!); break;
                case 5: name = Encoding.UTF8.GetString(f.Bytes!); break;
                case 7: start = f.Value; break;
                case 8: end = f.Value; break;
                case 9:
                    string key = "", value = "";
                    foreach (var kv in Fields(f.Bytes!))
                    {
                        if (kv.Number == 1) key = Encoding.UTF8.GetString(kv.Bytes!);
                        if (kv.Number == 2) value = AnyValue(kv.Bytes!);
                    }
                    attributes[key] = value;
                    break;
            }
        }
        return new Span(traceId, spanId, parent, name, start, end, attributes);
    }

    /// <summary>AnyValue: string(1), bool(2), int(3), double(4), as text.</summary>
    static string AnyValue(byte[] bytes)
    {
        foreach (var f in Fields(bytes))
            return f.Number switch
            {
                1 => Encoding.UTF8.GetString(f.Bytes!),
                2 => f.Value != 0 ? "true" : "false",
                3 => ((long)f.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.Int64BitsToDouble((long)f.Value).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            };
        return "";
    }

    record struct Field(int Number, ulong Value, byte[]? Bytes);

    static List<Field> Fields(byte[] data)
    {
        var fields = new List<Field>();
        int i = 0;
        while (i < data.Length)
        {
            var key = Varint(data, ref i);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: fields.Add(new Field(number, Varint(data, ref i), null)); break;
                case 1: fields.Add(new Field(number, BitConverter.ToUInt64(data, i), null)); i += 8; break;
                case 2:
                    var length = (int)Varint(data, ref i);
                    fields.Add(new Field(number, 0, data[i..(i + length)]));
                    i += length;
                    break;
                case 5: fields.Add(new Field(number, BitConverter.ToUInt32(data, i), null)); i += 4; break;
                default: throw new InvalidDataException($"protobuf wire type {wire} at byte {i}");
            }
        }
        return fields;
    }

    static ulong Varint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
