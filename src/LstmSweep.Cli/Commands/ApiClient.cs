using Spectre.Console;
using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LstmSweep.Cli.Output;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cli.Commands;

/// <summary>The server a client command talks to: --server, else LSTMSWEEP_SERVER, else http://127.0.0.1:5080.</summary>
public static class ServerOption
{
    public const string Variable = "LSTMSWEEP_SERVER";
    public const string Fallback = "http://127.0.0.1:5080";

    public static Option<string?> Create() => new("--server")
    {
        Description = $"The coordinator's HTTP API (default ${Variable}, else {Fallback}); the token comes from LSTMSWEEP_API_TOKEN",
    };

    public static string Resolve(string? given)
        => given ?? (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } env ? env : Fallback);
}

/// <summary>Thrown when the server cannot be reached: the command exits with <see cref="ExitCodes.Unreachable"/>.</summary>
public sealed class ServerUnreachableException(string message) : Exception(message);

/// <summary>A failed request the server answered: the status and its problem details, printed for the user.</summary>
public sealed class ApiException(HttpStatusCode status, string body) : Exception($"{(int)status} {status}")
{
    public HttpStatusCode Status { get; } = status;
    public string Body { get; } = body;

    /// <summary>404 and 4xx are the user's input (exit 2); the rest is a failure (exit 1).</summary>
    public int ExitCode => (int)Status is >= 400 and < 500 ? ExitCodes.BadInput : ExitCodes.Failed;

    public void Print()
    {
        try
        {
            using var problem = JsonDocument.Parse(Body);
            var root = problem.RootElement;
            Terminal.Error(root.TryGetProperty("title", out var title) ? $"{(int)Status}: {title.GetString()}" : $"{(int)Status} {Status}");
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                foreach (var e in errors.EnumerateArray())
                {
                    var path = e.TryGetProperty("path", out var p) ? p.GetString() : "";
                    var message = e.TryGetProperty("message", out var m) ? m.GetString() : e.ToString();
                    Console.Error.WriteLine(string.IsNullOrEmpty(path) ? $"  {message}" : $"  {path}: {message}");
                }
        }
        catch (JsonException)
        {
            Terminal.Error($"{(int)Status} {Status}: {Body}");
        }
    }
}

public sealed class ApiClient : IDisposable
{
    readonly HttpClient _http;
    public string Server { get; }

    public ApiClient(string? server)
    {
        Server = ServerOption.Resolve(server).TrimEnd('/');
        _http = new HttpClient { BaseAddress = new Uri(Server + "/"), Timeout = TimeSpan.FromSeconds(60) };
        if (Environment.GetEnvironmentVariable("LSTMSWEEP_API_TOKEN") is { Length: > 0 } token)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Task<string> GetAsync(string path, CancellationToken cancel = default) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancel);

    public Task<string> PostAsync(string path, string body, string contentType, CancellationToken cancel = default)
        => SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) }, cancel);

    public async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken cancel)
    {
        try
        {
            var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, cancel);
            if (!response.IsSuccessStatusCode) throw new ApiException(response.StatusCode, await response.Content.ReadAsStringAsync(cancel));
            return response;
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new ServerUnreachableException($"cannot reach {Server}: {e.Message}");
        }
    }

    async Task<string> SendAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        try
        {
            using var response = await _http.SendAsync(request, cancel);
            var body = await response.Content.ReadAsStringAsync(cancel);
            if (!response.IsSuccessStatusCode) throw new ApiException(response.StatusCode, body);
            return body;
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new ServerUnreachableException($"cannot reach {Server}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new ServerUnreachableException($"{Server} did not answer in time");
        }
    }

    /// <summary>Runs a client command, turning an unreachable server and error answers into exit codes.</summary>
    public static async Task<int> RunAsync(string? server, Func<ApiClient, Task<int>> action)
    {
        using var client = new ApiClient(server);
        try
        {
            return await action(client);
        }
        catch (ServerUnreachableException e)
        {
            Terminal.Error(e.Message);
            return ExitCodes.Unreachable;
        }
        catch (ApiException e)
        {
            e.Print();
            return e.ExitCode;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Prints a sweep as the server sent it (a <see cref="SweepDocument"/>).</summary>
public static class DocumentOutput
{
    public static readonly JsonSerializerOptions Json = SweepDocument.JsonOptions;

    public static void Write(string json, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(json.Trim());
            return;
        }
        var doc = JsonSerializer.Deserialize<SweepDocument>(json, Json)!;
        if (format == OutputFormat.Csv)
        {
            Console.Out.WriteLine("trial_id,status,accuracy,loss,units,merge_mode,stateful,epochs,learning_rate,batch_size,layers,epochs_run,duration_ms,attempts");
            foreach (var t in doc.Trials)
                Console.Out.WriteLine(string.Join(',', t.TrialId, t.Status, t.Accuracy?.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                    t.Loss?.ToString("R", System.Globalization.CultureInfo.InvariantCulture), t.Config.Units, t.Config.MergeMode, t.Config.Stateful ? "true" : "false",
                    t.Config.Epochs, t.Config.LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture), t.Config.BatchSize,
                    t.Config.Layers, t.EpochsRun, t.DurationMs, t.Attempts));
            return;
        }
        var table = new Spectre.Console.Table().Border(Spectre.Console.TableBorder.Rounded)
            .Title($"{Spectre.Console.Markup.Escape(doc.Name)} ({Spectre.Console.Markup.Escape(doc.SweepId)}): {doc.Status}, objective {doc.Objective}");
        foreach (var column in new[] { "trial", "status", "accuracy", "loss", "units", "merge", "stateful", "layers", "epochs", "lr", "batch", "attempts" })
            table.AddColumn(column);
        foreach (var t in doc.Trials.OrderBy(t => t.TrialId))
            table.AddRow(new[] { t.TrialId.ToString(), t.Status, ResultsRenderer.Format(t.Accuracy), ResultsRenderer.Format(t.Loss),
                t.Config.Units.ToString(), t.Config.MergeMode, t.Config.Stateful ? "yes" : "no", t.Config.Layers.ToString(),
                $"{t.EpochsRun}/{t.Config.Epochs}", t.Config.LearningRate.ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
                t.Config.BatchSize.ToString(), t.Attempts.ToString() }.Select(s => Spectre.Console.Markup.Escape(s)).ToArray());
        Terminal.Out.Write(table);
        if (doc.Best is { } best)
            Terminal.Out.MarkupLine(Markup.Escape($"best: trial {best.TrialId} ({doc.Objective} {ResultsRenderer.Format(doc.Objective == "accuracy" ? best.Accuracy : best.Loss)})"));
    }

    public static string StatusOf(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("status").GetString() ?? "";
    }

    /// <summary>completed → 0; failed or cancelled → 1.</summary>
    public static int ExitCodeFor(string status) => status == "completed" ? ExitCodes.Ok : ExitCodes.Failed;
}
