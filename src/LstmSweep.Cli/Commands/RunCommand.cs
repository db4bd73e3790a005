using System.CommandLine;
using LstmSweep.Cli.Output;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Node;
using LstmSweep.Node.Telemetry;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cli.Commands;

/// <summary>`lstmsweep run SPEC`: the whole sweep in this process (coordinator and worker), journal in SQLite.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "The sweep spec (YAML or JSON)" };
        var db = CommonOptions.Db();
        var slots = new Option<int?>("--slots") { Description = "Trials trained at once (default: one per core, or one per GPU)" };
        var metricsPort = new Option<int?>("--metrics-port")
        {
            Description = "Serve Prometheus metrics (docs/metrics.md) at http://127.0.0.1:PORT/metrics while the sweep runs (0: a free port)",
        };
        var output = CommonOptions.Output();
        var resume = new Option<string?>("--resume") { Description = "Continue this sweep from the journal: finished trials are kept, interrupted ones run again" };
        var checkpoints = new Option<string?>("--checkpoints")
        {
            Description = "Folder for trial checkpoints (default: lstmsweep-checkpoints beside the database); once a sweep ends only its top keep_models trials' final weights stay there",
        };
        var (dataFolder, limit) = (SpecOptions.DataFolder(), SpecOptions.Limit());
        var command = new Command("run", "Run a sweep in this process and print its leaderboard")
            { spec, db, slots, output, resume, checkpoints, metricsPort, dataFolder, limit };
        command.SetAction((result, _) =>
        {
            if (SpecOptions.Read(result, result.GetValue(spec)!, dataFolder, limit) is not { } read) return Task.FromResult(ExitCodes.BadInput);
            return RunAsync(result.GetValue(spec)!, read, result.GetValue(db), result.GetValue(slots),
                CommonOptions.ParseOutput(result.GetValue(output)), result.GetValue(resume), result.GetValue(checkpoints), result.GetValue(metricsPort));
        });
        return command;
    }

    static async Task<int> RunAsync(string specPath, (NodeOptions Settings, SpecReadOptions Spec) read, string? dbText, int? slots,
        OutputFormat output, string? resumeId, string? checkpointsOption, int? metricsPort)
    {
        // Everything the user gave is checked before anything is opened or written.
        var parsed = SpecParser.ParseFile(specPath, read.Spec);
        if (parsed.Spec is not { } spec)
        {
            SpecErrors.Print(specPath, parsed.Errors);
            return ExitCodes.BadInput;
        }
        if (CommonOptions.ParseDb(dbText) is not { } database) return ExitCodes.BadInput;
        if (slots is < 1)
        {
            Terminal.Error($"--slots {slots}: needs at least 1");
            return ExitCodes.BadInput;
        }
        if (metricsPort is < 0 or > 65535)
        {
            Terminal.Error($"--metrics-port {metricsPort}: not a port; give 1 to 65535, or 0 for a free one");
            return ExitCodes.BadInput;
        }
        if (resumeId is not null && !database.Exists)
        {
            Terminal.Error($"--resume {resumeId}: there is no database at {database.Location}; give the --db the sweep ran with");
            return ExitCodes.BadInput;
        }

        var (otlp, otlpError) = NodeTelemetry.Otlp(read.Settings.OtlpEndpoint, read.Settings.OtlpProtocol);
        if (otlpError is not null)
        {
            Terminal.Error(otlpError);
            return ExitCodes.BadInput;
        }
        // Disposed last (after the sweep's actors stopped and ended their spans): flushes the spans still buffered.
        using var tracing = otlp is null ? null : NodeTelemetry.StartTracing(otlp, $"{Environment.MachineName}/{Environment.ProcessId}");

        IAsyncDisposable? metricsServer = null;
        if (metricsPort is { } port)
        {
            var (server, url, error) = await MetricsServer.StartAsync(port, $"{Environment.MachineName}/{Environment.ProcessId}");
            if (error is not null)
            {
                Terminal.Error(error);
                return ExitCodes.BadInput;
            }
            metricsServer = server;
            Terminal.Info($"metrics: {url}/metrics");
        }
        await using var stopMetrics = metricsServer;

        var specText = await File.ReadAllTextAsync(specPath);
        var plan = SlotDevices.PlanForThisMachine(slots);
        if (plan.FallbackNote is { } note) Terminal.Info($"note: {note}");
        var devices = SlotDevices.Apply(plan);
        var checkpointRoot = Path.GetFullPath(checkpointsOption ?? CheckpointDirectories.DefaultRoot(database));
        // Ctrl+C and SIGTERM from here on stop the run and leave the sweep resumable; a second one quits at once.
        using var interruption = RunInterruption.Listen();
        try
        {
            return resumeId is null
                ? await RunNewAsync(specPath, spec, specText, database, devices, checkpointRoot, output, interruption)
                : await ResumeAsync(specPath, resumeId, specText, database, devices, checkpointRoot, output, interruption);
        }
        catch (SweepJournalException e)
        {
            Terminal.Error(e.Message);
            Terminal.Error($"the run stopped; what was journalled is kept. Once {database.Describe()} works again, continue with:");
            Terminal.Info(ResumeCommand(specPath, e.SweepId, database));
            return ExitCodes.Failed;
        }
    }

    /// <summary>A new sweep under a fresh id (a new id again if the journal already has that one: never another sweep's).</summary>
    static async Task<int> RunNewAsync(string specPath, SweepSpec spec, string specText, DatabaseTarget database, IReadOnlyList<string> devices,
        string checkpointRoot, OutputFormat output, RunInterruption interruption)
    {
        for (int attempt = 1; ; attempt++)
        {
            var sweepId = SweepPlan.NewSweepId(spec.Name);
            var (writerLock, heldBy) = SweepWriterLock.TryAcquire(database, sweepId);
            if (writerLock is null)
            {
                if (attempt < 3) continue; // another run holds this very id: take another
                Terminal.Error(heldBy!);
                return ExitCodes.Failed;
            }
            using var held = writerLock;
            await using var sweep = EmbeddedSweep.Open(database, sweepId, devices, checkpointRoot);
            var (header, trials) = SweepPlan.For(spec, specText, sweepId, DateTimeOffset.UtcNow);
            try
            {
                await sweep.SubmitAsync(header, trials);
            }
            catch (SweepRejectedException e) when (e.IdTaken && attempt < 3)
            {
                continue;
            }
            var state = await sweep.StateAsync();
            Terminal.Info($"sweep {sweepId}: {trials.Count} trials on {devices.Count} slot(s) ({string.Join(", ", devices.Distinct())}), journal {database.Describe()}");
            return await FollowAndReportAsync(specPath, sweep, state, database, checkpointRoot, output, interruption, writerLock);
        }
    }

    static async Task<int> ResumeAsync(string specPath, string resumeId, string specText, DatabaseTarget database, IReadOnlyList<string> devices,
        string checkpointRoot, OutputFormat output, RunInterruption interruption)
    {
        // One writer per sweep: taken before the journal is opened, since recovering already writes (requeues).
        var (writerLock, heldBy) = SweepWriterLock.TryAcquire(database, resumeId);
        if (writerLock is null)
        {
            Terminal.Error($"--resume {resumeId}: {heldBy}; wait for that run to end, or stop it (Ctrl+C leaves the sweep resumable)");
            return ExitCodes.BadInput;
        }
        using var held = writerLock;
        await using var sweep = EmbeddedSweep.Open(database, resumeId, devices, checkpointRoot);
        var state = await sweep.StateAsync();
        if (!state.IsSubmitted)
        {
            Terminal.Error($"--resume {resumeId}: no sweep with that id in {database.Describe()}; 'lstmsweep list --db ...' shows the sweeps there");
            return ExitCodes.BadInput;
        }
        if (state.SpecText != specText)
            Terminal.Info($"note: {specPath} differs from the spec sweep {resumeId} started with; resuming with the original");
        int done = state.Trials.Values.Count(t => t.IsFinished);
        Terminal.Info($"resuming sweep {resumeId}: {done}/{state.Trials.Count} trials already finished");
        if (!state.IsFinished) sweep.StartWorker();
        return await FollowAndReportAsync(specPath, sweep, state, database, checkpointRoot, output, interruption, writerLock);
    }

    static async Task<int> FollowAndReportAsync(string specPath, EmbeddedSweep sweep, SweepState state, DatabaseTarget database,
        string checkpointRoot, OutputFormat output, RunInterruption interruption, SweepWriterLock writerLock)
    {
        if (!state.IsFinished && !await FollowUntilFinishedAsync(sweep, state, interruption.Token))
        {
            await sweep.StopWithoutFinishingAsync();
            Terminal.Info($"interrupted ({interruption.Signal}): sweep {sweep.SweepId} stopped and can be resumed (finished trials are kept, interrupted ones run again):");
            Terminal.Info(ResumeCommand(specPath, sweep.SweepId, database));
            ResultsRenderer.Write(await sweep.StateAsync(), output);
            return ExitCodes.Interrupted;
        }
        var final = await sweep.StateAsync();
        // Nothing can resume or be promoted any more: only the top keep_models trials' final weights stay (predict, export).
        if (final.IsFinished)
            CheckpointDirectories.KeepOnly(checkpointRoot, sweep.SweepId, CheckpointDirectories.TrialsToKeep(final));
        ResultsRenderer.Write(final, output);
        writerLock.Release(sweepFinished: final.IsFinished);
        return ResultsRenderer.ExitCodeFor(final);
    }

    static string ResumeCommand(string specPath, string sweepId, DatabaseTarget database)
        => $"  lstmsweep run {specPath} --resume {sweepId} --db {database.Describe()}";

    /// <summary>Shows progress until the sweep ends (true), or until interrupted (false). A journal that keeps failing throws.</summary>
    static async Task<bool> FollowUntilFinishedAsync(EmbeddedSweep sweep, SweepState state, CancellationToken interrupted)
    {
        var following = ProgressView.FollowAsync(state, sweep.Events, CancellationToken.None);
        var interruption = Task.Delay(Timeout.Infinite, interrupted).ContinueWith(_ => { }, TaskScheduler.Default);
        if (await Task.WhenAny(following, interruption) == following)
        {
            try
            {
                await following;
            }
            catch (System.Threading.Channels.ChannelClosedException e) when (e.InnerException is SweepJournalException failure)
            {
                throw failure; // the journal failed too often: the events ended with it
            }
            return true;
        }
        return false;
    }
}

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM during `run`: the first is caught (the run stops cleanly, leaving the sweep resumable),
/// a second one is left to the runtime and ends the process at once (the sweep is resumable then too).
/// </summary>
sealed class RunInterruption : IDisposable
{
    readonly CancellationTokenSource _interrupted = new();
    readonly List<System.Runtime.InteropServices.PosixSignalRegistration> _registrations = new();

    public CancellationToken Token => _interrupted.Token;
    public string Signal { get; private set; } = "";

    public static RunInterruption Listen()
    {
        var interruption = new RunInterruption();
        foreach (var signal in new[] { System.Runtime.InteropServices.PosixSignal.SIGINT, System.Runtime.InteropServices.PosixSignal.SIGTERM })
            interruption._registrations.Add(System.Runtime.InteropServices.PosixSignalRegistration.Create(signal, context =>
            {
                if (interruption._interrupted.IsCancellationRequested) return; // the second: the default, which ends the process
                context.Cancel = true;
                interruption.Signal = context.Signal == System.Runtime.InteropServices.PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
                interruption._interrupted.Cancel();
            }));
        return interruption;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _interrupted.Dispose();
    }
}

/// <summary>
/// How `run` and `validate` read a spec: the caps and data folders of the settings (appsettings, LSTMSWEEP_*), raised
/// or extended by --limit and --data-folder, with the spec's own folder always readable.
/// </summary>
static class SpecOptions
{
    public static Option<string[]> DataFolder() => new("--data-folder")
    {
        Description = "Another folder the array task's data file may come from (besides the spec's own folder; repeatable). Setting data_folders",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string[]> Limit() => new("--limit")
    {
        Description = $"Raise (or lower) a cap, KEY=VALUE (repeatable): {string.Join(", ", LimitNames.All.Select(l => l.Key))}; see the README's table of limits",
    };

    /// <summary>The process's settings and the spec read options, or null after printing every problem.</summary>
    public static (NodeOptions Settings, SpecReadOptions Spec)? Read(ParseResult result, string specPath, Option<string[]> dataFolder, Option<string[]> limit)
    {
        var (settings, errors) = NodeOptions.Bind(NodeOptions.Sources(new Dictionary<string, string?>()));
        var problems = errors.Select(e => $"setting {e}").ToList();
        var given = new Dictionary<string, string>();
        foreach (var pair in result.GetValue(limit) ?? [])
        {
            var equals = pair.IndexOf('=');
            var key = equals > 0 ? pair[..equals].Trim().Replace('-', '_') : pair;
            if (equals <= 0 || !LimitNames.All.Any(l => l.Key == key))
                problems.Add($"--limit {pair}: give KEY=VALUE with KEY one of {string.Join(", ", LimitNames.All.Select(l => l.Key))}");
            else given[key] = pair[(equals + 1)..].Trim();
        }
        var (limits, limitErrors) = NodeOptions.BindLimits(k => given.GetValueOrDefault(k), settings?.Limits ?? SpecLimits.Default);
        problems.AddRange(limitErrors.Select(e => $"--limit {e}"));
        if (settings is null || problems.Count > 0)
        {
            foreach (var problem in problems) Terminal.Error(problem);
            return null;
        }
        SweepSystem.LogLevel = settings.LogLevel;
        var specFolder = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        var folders = new[] { specFolder }.Concat(settings.DataFolders).Concat((result.GetValue(dataFolder) ?? []).Select(Path.GetFullPath)).ToList();
        return (settings, new SpecReadOptions { Limits = limits, DataFolders = folders });
    }
}
