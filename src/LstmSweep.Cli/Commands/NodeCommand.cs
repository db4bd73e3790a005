using System.CommandLine;
using LstmSweep.Cli.Output;
using LstmSweep.Node;

namespace LstmSweep.Cli.Commands;

/// <summary>`lstmsweep node`: one cluster member (coordinator and/or worker) until SIGTERM.</summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var flags = new (string Key, Option<string?> Option)[]
        {
            ("roles", new Option<string?>("--roles") { Description = "coordinator, worker or both (comma-separated; default both). Env LSTMSWEEP_ROLES" }),
            ("host", new Option<string?>("--host") { Description = "Address to bind and advertise (default 127.0.0.1). Env LSTMSWEEP_HOST" }),
            ("port", new Option<string?>("--port") { Description = "Cluster port (default 4053). Env LSTMSWEEP_PORT" }),
            ("seeds", new Option<string?>("--seeds") { Description = "Seed nodes host:port,... (default: this node). Env LSTMSWEEP_SEEDS" }),
            ("http_port", new Option<string?>("--http-port") { Description = "HTTP API port on coordinator nodes (default 5080). Env LSTMSWEEP_HTTP_PORT" }),
            ("db", new Option<string?>("--db") { Description = "The journal: sqlite:PATH or postgres:CONNECTION-STRING. Env LSTMSWEEP_DB" }),
            ("slots", new Option<string?>("--slots") { Description = "Trials this worker trains at once. Env LSTMSWEEP_SLOTS" }),
            ("checkpoints", new Option<string?>("--checkpoints") { Description = "Checkpoint folder, shared by the workers. Env LSTMSWEEP_CHECKPOINTS" }),
            ("data_folders", new Option<string?>("--data-folders") { Description = "Folders (comma-separated, absolute) whose files submitted specs may read; default none. Env LSTMSWEEP_DATA_FOLDERS" }),
        };
        var createDb = new Option<bool>("--create-db") { Description = "Create the SQLite journal if it is missing (else a missing file is an error, exit 2). Env LSTMSWEEP_CREATE_DB" };
        var command = new Command("node", "Run a cluster node: coordinator (sweep manager + HTTP API) and/or worker; also configurable by LSTMSWEEP_* variables and appsettings.json");
        foreach (var (_, option) in flags) command.Options.Add(option);
        command.Options.Add(createDb);
        command.SetAction(async (result, _) =>
        {
            var given = flags.ToDictionary(f => f.Key, f => result.GetValue(f.Option));
            if (result.GetValue(createDb)) given["create_db"] = "true";
            var (options, errors) = NodeOptions.Bind(NodeOptions.Sources(given));
            if (options is null)
            {
                foreach (var error in errors) Terminal.Error(error);
                return ExitCodes.BadInput;
            }
            if (CommonOptions.ParseDb(options.Db) is not { } database) return ExitCodes.BadInput;
            return await NodeHost.RunAsync(options, database, Terminal.Info);
        });
        return command;
    }
}
