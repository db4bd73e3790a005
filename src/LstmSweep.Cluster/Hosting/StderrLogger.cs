using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace LstmSweep.Cluster.Hosting;

/// <summary>
/// Akka's log goes to stderr: stdout belongs to the command's output (`--output json` must be JSON alone).
/// </summary>
public sealed class StderrLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StderrLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine($"[{e.LogLevel().ToString().Replace("Level", "").ToLowerInvariant()}] {e.LogSource}: {e.Message}"));
    }
}
