using Spectre.Console;
using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LstmSweep.Cli.Output;
using LstmSweep.Core.Sweeps;
using LstmSweep.Node;

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

    /// <summary>--server, else the server setting (LSTMSWEEP_SERVER, appsettings), else the fallback.</summary>
    public static string Resolve(string? given) => given ?? NodeOptions.Read("server") ?? Fallback;
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
        if (NodeOptions.Read("api_token") is { } token)
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

/// <summary>Prints a sweep as the server sent it (a <see cref="SweepDocument"/>), through the same renderer as the journal's.</summary>
public static class DocumentOutput
{
    public static readonly JsonSerializerOptions Json = SweepDocument.JsonOptions;

    public static void Write(string json, OutputFormat format)
        => ResultsRenderer.Write(JsonSerializer.Deserialize<SweepDocument>(json, Json)!, format);

    public static string StatusOf(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("status").GetString() ?? "";
    }

    /// <summary><see cref="ExitCodes.ForStatus"/>: completed 0, cancelled 130, failed 1.</summary>
    public static int ExitCodeFor(string status) => ExitCodes.ForStatus(status);
}
