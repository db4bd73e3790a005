using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// Where an array task's data file may come from, checked before a byte of it is read: a real path (symlinks and
/// <c>..</c> resolved) inside a folder the operator allows, a regular file (no device, pipe, socket or /proc entry,
/// whose open could block or never end), and no larger than a limit. Errors name the path and the rule, never what is
/// in the file.
/// </summary>
public static partial class DataFiles
{
    /// <summary>What a regular file looks like when it was checked: a changed length or time means a changed file.</summary>
    public sealed record FileStamp(string RealPath, long Length, DateTime LastWriteUtc);

    /// <summary>
    /// The file's real path and stamp, or why it may not be read. <paramref name="allowedFolders"/> null skips the
    /// folder rule (a worker reading a path its coordinator already checked).
    /// </summary>
    public static (FileStamp? File, string? Error) Check(string path, IReadOnlyList<string>? allowedFolders, long maxBytes)
    {
        if (path.Any(char.IsControl))
            return (null, "the path contains a NUL or control character; give a plain file path");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return (null, $"{path}: not a valid file path");
        }
        var real = RealPath(full);
        // The folder rule comes first, so a caller cannot learn which files exist outside the allowed folders.
        if (allowedFolders is not null && !allowedFolders.Any(folder => IsInside(real ?? full, folder)))
            return (null, allowedFolders.Count == 0
                ? $"{path}: this node reads no data files for submitted specs; its operator names the folders it may read " +
                  "with the data_folders setting (LSTMSWEEP_DATA_FOLDERS)"
                : $"{path}: outside the data folders this node allows ({string.Join(", ", allowedFolders)}); move the file " +
                  "there, or ask the operator to add its folder to data_folders (LSTMSWEEP_DATA_FOLDERS, run --data-folder)");
        if (real is null)
            return (null, $"{path}: file not found");
        if (Directory.Exists(real))
            return (null, $"{path}: a folder, not a file");
        if (!IsRegularFile(real, out var length))
            return (null, $"{path}: not a regular file (a device, pipe, socket or /proc entry); give a CSV or JSON file");
        if (length > maxBytes)
            return (null, $"{path}: {length} bytes, more than the {maxBytes} a data file may have (the limit {LimitNames.MaxDataFileBytes})");
        return (new FileStamp(real, length, File.GetLastWriteTimeUtc(real)), null);
    }

    /// <summary>The allowed folders as real paths (a folder that does not exist allows nothing and is dropped).</summary>
    public static IReadOnlyList<string> ResolveFolders(IEnumerable<string> folders)
        => folders.Select(f => RealPath(Path.GetFullPath(f))).OfType<string>().Where(Directory.Exists).Distinct().ToList();

    /// <summary>A data file's problem without what the file holds: quoted cells, keys and raw values become '…'.</summary>
    public static string WithoutContent(string message) => Quoted().Replace(message, "'…'");

    [GeneratedRegex("'[^']*'|\"[^\"]*\"|\\bis -?[0-9][^ ,;]*")]
    private static partial Regex Quoted();

    static bool IsInside(string realPath, string folder)
    {
        var prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return realPath.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The path with every symlink and <c>..</c> resolved, or null when it does not exist.</summary>
    public static string? RealPath(string fullPath)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                var info = new FileInfo(fullPath);
                if (!info.Exists && !Directory.Exists(fullPath)) return null;
                return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
            }
            catch (IOException) { return null; }
        }
        var resolved = Native.realpath(fullPath, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { Native.free(resolved); }
    }

    /// <summary>
    /// Whether the path is a regular file, asked of the file system without opening it (opening a FIFO blocks until a
    /// writer comes). Linux: statx. Elsewhere a non-empty file that is not a folder: devices and pipes report 0 bytes.
    /// </summary>
    static bool IsRegularFile(string realPath, out long length)
    {
        length = 0;
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[256];
            if (Native.statx(Native.AtFdCwd, realPath, 0, Native.StatxType | Native.StatxSize, buffer) != 0) return false;
            var mode = BitConverter.ToUInt16(buffer, 28);
            length = BitConverter.ToInt64(buffer, 40);
            return (mode & 0xF000) == 0x8000;
        }
        var file = new FileInfo(realPath);
        if (!file.Exists) return false;
        length = file.Length;
        return length > 0;
    }

    static class Native
    {
        public const int AtFdCwd = -100;
        public const uint StatxType = 0x1, StatxSize = 0x200;

        [DllImport("libc", SetLastError = true)]
        public static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

        [DllImport("libc")]
        public static extern void free(IntPtr pointer);

        /// <summary>struct statx has one layout on every architecture: stx_mode (u16) at 28, stx_size (u64) at 40.</summary>
        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}
