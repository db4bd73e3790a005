using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LstmSweep.Node.Telemetry;

/// <summary>
/// Process metrics under OpenTelemetry's semantic-convention names (process.memory.usage, process.cpu.time, ...), the
/// ones OpenTelemetry.Instrumentation.Process would export; that package is not served here. Resident memory includes
/// libtorch's native allocations, which the .NET runtime metrics cannot see.
/// </summary>
public static class ProcessMetrics
{
    public const string MeterName = "LstmSweep.Process";

    static readonly Meter Meter = new(MeterName);
    static readonly DateTime StartedAt = Read(p => p.StartTime.ToUniversalTime());

    static ProcessMetrics()
    {
        Meter.CreateObservableGauge("process.memory.usage", () => Read(p => p.WorkingSet64), "By",
            "Resident memory of the process, native memory included.");
        Meter.CreateObservableGauge("process.memory.virtual", () => Read(p => p.VirtualMemorySize64), "By",
            "Virtual memory of the process.");
        Meter.CreateObservableCounter("process.cpu.time", () => Read(p => new[]
        {
            new Measurement<double>(p.UserProcessorTime.TotalSeconds, new KeyValuePair<string, object?>("cpu.mode", "user")),
            new Measurement<double>(p.PrivilegedProcessorTime.TotalSeconds, new KeyValuePair<string, object?>("cpu.mode", "system")),
        }), "s", "CPU time the process used.");
        Meter.CreateObservableGauge("process.thread.count", () => Read(p => p.Threads.Count), "{thread}",
            "Operating-system threads of the process.");
        Meter.CreateObservableGauge("process.open_file_descriptor.count", OpenFileDescriptors, "{file_descriptor}",
            "Open file descriptors.");
        Meter.CreateObservableGauge("process.uptime", () => (DateTime.UtcNow - StartedAt).TotalSeconds, "s",
            "Seconds since the process started.");
    }

    public static void EnsureCreated() { }

    /// <summary>A fresh Process object reads /proc (or the OS) anew; disposed at once.</summary>
    static T Read<T>(Func<Process, T> value)
    {
        using var process = Process.GetCurrentProcess();
        return value(process);
    }

    static IEnumerable<Measurement<long>> OpenFileDescriptors()
    {
        // Linux (and containers): one entry per descriptor. Elsewhere the series is absent rather than wrong.
        if (!Directory.Exists("/proc/self/fd")) return [];
        try { return [new Measurement<long>(Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount())]; }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }
}
