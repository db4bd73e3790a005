using System.Net;
using System.Text.Json;

namespace LstmSweep.Deploy.Tests;

/// <summary>
/// A NuGet v3 feed (service index and flat container, all a restore needs) on loopback, serving the .nupkg files of
/// this machine's global packages folder. The image build restores from it (the Dockerfile's NUGET_SOURCE) over host
/// networking, so building the image does not download libtorch's ~600 MB again: the host restored the same
/// packages for the solution already. A package the host lacks is a 404 and the build's restore names it.
/// </summary>
public sealed class LocalNuGetFeed : IDisposable
{
    HttpListener _listener = new();
    readonly string _packages;
    readonly CancellationTokenSource _stop = new();

    public int Port { get; }
    public string ServiceIndex => $"http://127.0.0.1:{Port}/v3/index.json";

    public static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <param name="preferredPort">Tried first: the feed's address is a build argument of the restore step, so the
    /// same address keeps that layer (~2.5 GB of packages) cached from one build to the next.</param>
    public LocalNuGetFeed(int preferredPort)
    {
        _packages = GlobalPackagesFolder;
        Assert.True(Directory.Exists(_packages), $"no NuGet global packages folder at {_packages}");
        foreach (var port in new[] { preferredPort, FreePorts.Take(1)[0] })
        {
            try
            {
                _listener = new HttpListener();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                Port = port;
                break;
            }
            catch (HttpListenerException) { _listener.Close(); } // taken: the next
        }
        Assert.True(Port != 0, "the NuGet feed found no port");
        _ = Task.Run(ServeAsync);
    }

    async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            _ = Task.Run(() => Answer(context));
        }
    }

    async Task Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var parts = context.Request.Url!.AbsolutePath.Trim('/').Split('/').Select(p => p.ToLowerInvariant()).ToArray();
            switch (parts)
            {
                case ["v3", "index.json"]:
                    await Json(response, new
                    {
                        version = "3.0.0",
                        resources = new[] { new Dictionary<string, string> { ["@id"] = $"http://127.0.0.1:{Port}/flat/", ["@type"] = "PackageBaseAddress/3.0.0" } },
                    });
                    break;
                case ["flat", var id, "index.json"] when Directory.Exists(Path.Combine(_packages, id)):
                    var versions = Directory.GetDirectories(Path.Combine(_packages, id))
                        .Where(v => File.Exists(Path.Combine(v, $"{id}.{Path.GetFileName(v)}.nupkg")))
                        .Select(Path.GetFileName).ToArray();
                    await Json(response, new { versions });
                    break;
                case ["flat", var id, var version, var file] when File.Exists(Path.Combine(_packages, id, version, file)):
                    response.ContentType = "application/octet-stream";
                    await using (var stream = File.OpenRead(Path.Combine(_packages, id, version, file)))
                    {
                        response.ContentLength64 = stream.Length;
                        await stream.CopyToAsync(response.OutputStream);
                    }
                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }
        }
        catch (Exception) { response.StatusCode = 500; } // a client gone mid-download
        finally
        {
            try { response.Close(); } catch (Exception) { }
        }
    }

    static async Task Json(HttpListenerResponse response, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value);
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }
}
