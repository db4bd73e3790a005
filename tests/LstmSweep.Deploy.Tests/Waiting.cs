using System.Diagnostics;
using System.Net;

namespace LstmSweep.Deploy.Tests;

public static class Waiting
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>GETs <paramref name="url"/> until it answers 200 or time runs out; the last answer (or error) otherwise.</summary>
    public static async Task<(bool Ok, string Last)> ForOkAsync(string url, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (clock.Elapsed < timeout)
        {
            try
            {
                using var response = await Http.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK) return (true, body);
                last = $"{(int)response.StatusCode} {body}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { last = e.Message; }
            await Task.Delay(250);
        }
        return (false, last);
    }

    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return true;
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(500));
        }
        return condition();
    }
}
