using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LstmSweep.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL server (shared by the test projects that link tests/Shared; an xunit collection or class
/// fixture): initdb into a temp folder, started on a free port of
/// 127.0.0.1 with password (scram-sha-256) authentication over TCP, stopped and deleted on Dispose. When the tests run
/// as root (as CI does) the server runs as the `postgres` OS user, since initdb and postgres refuse to run as root.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string Host = "127.0.0.1";
    public const string User = "lstmsweep";
    public const string Password = "sweep-secret-7";
    const string AdminUser = "postgres";
    const string AdminPassword = "admin-secret-3";
    const string ServerOsUser = "postgres";

    readonly string _bin;
    readonly string _root;
    readonly string _data;
    readonly bool _asServerUser;
    int _databases;
    bool _started;
    bool _disposed;

    public int Port { get; private set; }

    /// <summary>The server's log, for failure messages.</summary>
    public string LogPath => Path.Combine(_root, "server.log");

    public PostgresServer()
    {
        _bin = FindBinaries();
        _asServerUser = Environment.IsPrivilegedProcess;
        _root = Directory.CreateTempSubdirectory("lstmsweep-pg-").FullName;
        _data = Path.Combine(_root, "data");
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        try
        {
            var passwordFile = Path.Combine(_root, "admin-password");
            File.WriteAllText(passwordFile, AdminPassword + "\n");
            if (_asServerUser) Exec("chown", ["-R", $"{ServerOsUser}:", _root]);
            Server("initdb", ["-D", _data, "-U", AdminUser, $"--pwfile={passwordFile}", "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"]);
            File.Delete(passwordFile);
            Start();
            using var admin = new NpgsqlConnection(ConnectionString("postgres", AdminUser, AdminPassword));
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE ROLE {User} LOGIN PASSWORD '{Password}'", admin);
            create.ExecuteNonQuery();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A connection string for a new, empty database owned by <see cref="User"/>.</summary>
    public string CreateDatabase(string prefix = "sweeps")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
        using var admin = new NpgsqlConnection(ConnectionString("postgres", AdminUser, AdminPassword));
        admin.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {name} OWNER {User}", admin);
        create.ExecuteNonQuery();
        return ConnectionString(name, User, Password);
    }

    public string ConnectionString(string database, string user, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = Host, Port = Port, Database = database, Username = user, Password = password,
    }.ConnectionString;

    /// <summary>Tail of the server's log (for assertion messages).</summary>
    public string LogTail()
    {
        try { return string.Join('\n', File.ReadLines(LogPath).TakeLast(30)); }
        catch (IOException) { return "(no server log)"; }
    }

    void Start()
    {
        // A free port can be taken between asking and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                Server("pg_ctl", ["-D", _data, "-l", LogPath, "-w", "-t", "60",
                    "-o", $"-p {Port} -k {_root} -h {Host} -c fsync=off -c full_page_writes=off", "start"]);
                _started = true;
                return;
            }
            catch (InvalidOperationException) when (attempt < 3) { }
        }
    }

    /// <summary>Stops the server at once (as a crash or an operator would), keeping its data: a journal outage.</summary>
    public void Stop()
    {
        Server("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "-t", "30", "stop"]);
        _started = false;
    }

    /// <summary>Starts the stopped server again on the same port, so clients reconnect to the address they know.</summary>
    public void StartAgain()
    {
        Server("pg_ctl", ["-D", _data, "-l", LogPath, "-w", "-t", "60",
            "-o", $"-p {Port} -k {_root} -h {Host} -c fsync=off -c full_page_writes=off", "start"]);
        _started = true;
        NpgsqlConnection.ClearAllPools(); // this process's pooled connections died with the old server
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        NpgsqlConnection.ClearAllPools();
        if (_started)
        {
            try { Server("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "-t", "30", "stop"]); }
            catch (InvalidOperationException) { }
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    void OnProcessExit(object? sender, EventArgs e) => Dispose();

    static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl) were not found under {root}/*/bin. These tests start a real " +
            "PostgreSQL server: install it with 'apt-get install -y postgresql' (.ci/run does this on CI).");
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Runs a server binary: as the `postgres` OS user when we are root.</summary>
    void Server(string tool, string[] args)
    {
        var path = Path.Combine(_bin, tool);
        if (_asServerUser) Exec("runuser", ["-u", ServerOsUser, "--", path, .. args]);
        else Exec(path, args);
    }

    void Exec(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _root };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}\n{LogTail()}");
    }
}
