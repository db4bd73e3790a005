using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Akka.Cluster;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace LstmSweep.Node.Tests;

/// <summary>
/// The HTTP API on an in-memory test server, in front of a real coordinator-only node (its own cluster of one, an
/// SQLite journal in a temp folder). Without a worker a submitted sweep waits, so event streams stay open.
/// </summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    const string Token = "node-tests-token";
    readonly TempFolder folder = new("lstmsweep-node-tests-");
    ClusterNode node = null!;
    WebApplication web = null!;
    HttpClient http = null!;

    public async Task InitializeAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new NodeOptions
        {
            Roles = [NodeOptions.CoordinatorRole], Port = port, ApiToken = Token, MaxEventStreams = 1, CreateDb = true,
        };
        DatabaseTarget.TryParse("sqlite:" + folder.File("journal.db"), out var database, out _);
        database.PrepareForWriting();
        node = ClusterNode.Start(options, database, slotDevices: null);
        var up = new TaskCompletionSource();
        node.Cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        web = builder.Build();
        HttpApi.UseTokenCheck(web, options);
        HttpApi.Map(web, node);
        await web.StartAsync();
        http = web.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await web.StopAsync();
        await node.System.Terminate();
        folder.Dispose();
    }

    HttpRequestMessage Request(HttpMethod method, string path, string? body = null, string scheme = "Bearer")
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, Token);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/yaml");
        return request;
    }

    async Task<string> SubmitAsync()
    {
        using var submitted = await http.SendAsync(Request(HttpMethod.Post, "/api/sweeps", "name: waits\ntask: stateful-counter\nspace: {epochs: [2]}\n"));
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        return JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("sweep_id").GetString()!;
    }

    [Fact]
    public async Task EventStreamsPastTheLimitAreRefusedAndACancelledSweepCannotBeCancelledAgain()
    {
        var sweepId = await SubmitAsync();

        using var first = await http.SendAsync(Request(HttpMethod.Get, $"/api/sweeps/{sweepId}/events"), HttpCompletionOption.ResponseHeadersRead);
        using var second = await http.SendAsync(Request(HttpMethod.Get, $"/api/sweeps/{sweepId}/events"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Contains("max_event_streams", await second.Content.ReadAsStringAsync());

        using var cancel = await http.SendAsync(Request(HttpMethod.Post, $"/api/sweeps/{sweepId}/cancel"));
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        // The live stream ends after sweep_finished, which the cancel brings (no worker: every trial is cancelled).
        var events = await new StreamReader(await first.Content.ReadAsStreamAsync()).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("event: sweep_submitted", events);
        Assert.Contains("event: sweep_finished", events);

        using var again = await http.SendAsync(Request(HttpMethod.Post, $"/api/sweeps/{sweepId}/cancel"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        // The stream slot was given back.
        using var third = await http.SendAsync(Request(HttpMethod.Get, $"/api/sweeps/{sweepId}/events"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task SweepsComeInPagesWithASummaryViewAndTheTokenInAnyCase()
    {
        var ids = new[] { await SubmitAsync(), await SubmitAsync(), await SubmitAsync() };

        using var page = await http.SendAsync(Request(HttpMethod.Get, "/api/sweeps?limit=2&offset=1&view=summary", scheme: "BEARER"));
        var entries = JsonDocument.Parse(await page.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        using var anonymous = await http.GetAsync("/api/sweeps");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("3", page.Headers.GetValues(HttpApi.TotalCountHeader).Single());
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.False(e.TryGetProperty("trials", out var t) && t.ValueKind == JsonValueKind.Array));
        Assert.All(entries, e => Assert.Contains(e.GetProperty("sweep_id").GetString(), ids));
        Assert.All(entries, e => Assert.NotEqual(JsonValueKind.Null, e.GetProperty("submitted_at").ValueKind));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(MemberStatus.Up, node.Cluster.SelfMember.Status);
    }
}
