// Makes TorchSharp-cpu's libLibTorchSharp.so load on hosts whose libstdc++ predates GCC 13 (Debian 12: GLIBCXX_3.4.30).
//
// The library lists GLIBCXX_3.4.32 in its version needs for a single symbol, _ZSt21ios_base_library_initv (GCC 13's
// <iostream> marker), which no relocation uses. Marking that version need VER_FLG_WEAK (0x2) in .gnu.version_r makes the
// dynamic loader accept a libstdc++ without it. The edit is two bytes, made on the copy in a build output folder only,
// never on the NuGet cache, and written through a temporary file plus rename so a hard link into the cache is broken
// rather than written through.
//
// This one file serves two callers: MSBuild compiles it as an inline task (build/TorchSharpNativeCompat.targets), and the
// Training tests compile it with ELF_PATCHER_NO_MSBUILD to test the ELF logic directly.
#nullable enable
using System;
using System.IO;
using System.Text;
#if !ELF_PATCHER_NO_MSBUILD
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace LstmSweep.Build
{
    public enum PatchOutcome { Patched, AlreadyWeak, NotNeeded, VersionNotReferenced, NotElf }

    public static class GlibcxxCompat
    {
        public const string MissingVersion = "GLIBCXX_3.4.32";
        public const ushort VerFlagWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
        };

        /// <summary>The host's libstdc++ path, or null when none is found (then nothing is patched).</summary>
        public static string? FindHostLibStdCxx()
        {
            foreach (var candidate in LibStdCxxCandidates)
                if (File.Exists(candidate)) return candidate;
            return null;
        }

        /// <summary>True when the given libstdc++ defines the version TorchSharp asks for (as GCC 13 and newer do).</summary>
        public static bool DefinesVersion(string libStdCxxPath, string version = MissingVersion)
        {
            var needle = Encoding.ASCII.GetBytes(version + "\0");
            var bytes = File.ReadAllBytes(libStdCxxPath);
            // The task factory compiles against netstandard: no Span search, so a plain scan.
            for (int i = 0; i + needle.Length <= bytes.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && bytes[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        /// <summary>True when this host needs the patch: a libstdc++ exists and lacks GLIBCXX_3.4.32.</summary>
        public static bool HostNeedsPatch(string? libStdCxxPath)
            => libStdCxxPath != null && !DefinesVersion(libStdCxxPath);

        /// <summary>
        /// Finds the file offset of vna_flags for the version need named <paramref name="version"/>, or -1.
        /// Throws InvalidDataException when the file is not a 64-bit little-endian ELF.
        /// </summary>
        public static long FindVersionNeedFlagsOffset(byte[] elf, string version = MissingVersion)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF is supported");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)(sh + 4)) != ShtGnuVerneed) continue;

                long verneedOffset = (long)BitConverter.ToUInt64(elf, (int)(sh + 0x18));
                uint linkedStrtab = BitConverter.ToUInt32(elf, (int)(sh + 0x28));
                uint verneedCount = BitConverter.ToUInt32(elf, (int)(sh + 0x2C));
                long strtabOffset = (long)BitConverter.ToUInt64(elf, (int)(shoff + linkedStrtab * shentsize + 0x18));

                long vn = verneedOffset;
                for (uint n = 0; n < verneedCount; n++)
                {
                    ushort auxCount = BitConverter.ToUInt16(elf, (int)(vn + 2));
                    long aux = vn + BitConverter.ToUInt32(elf, (int)(vn + 8));
                    for (int a = 0; a < auxCount; a++)
                    {
                        uint nameIndex = BitConverter.ToUInt32(elf, (int)(aux + 8));
                        if (ReadCString(elf, strtabOffset + nameIndex) == version)
                            return aux + 4; // Elf64_Vernaux: vna_hash(4) vna_flags(2) vna_other(2) vna_name(4) vna_next(4)
                        aux += BitConverter.ToUInt32(elf, (int)(aux + 12));
                    }
                    vn += BitConverter.ToUInt32(elf, (int)(vn + 12));
                }
            }
            return -1;
        }

        static string ReadCString(byte[] bytes, long offset)
        {
            int end = (int)offset;
            while (end < bytes.Length && bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(bytes, (int)offset, end - (int)offset);
        }

        /// <summary>Marks the GLIBCXX_3.4.32 version need of <paramref name="libraryPath"/> weak, in place (via rename).</summary>
        public static PatchOutcome MarkVersionNeedWeak(string libraryPath, string version = MissingVersion)
        {
            var bytes = File.ReadAllBytes(libraryPath);
            long flagsOffset;
            try { flagsOffset = FindVersionNeedFlagsOffset(bytes, version); }
            catch (InvalidDataException) { return PatchOutcome.NotElf; }
            if (flagsOffset < 0) return PatchOutcome.VersionNotReferenced;

            ushort flags = BitConverter.ToUInt16(bytes, (int)flagsOffset);
            if ((flags & VerFlagWeak) != 0) return PatchOutcome.AlreadyWeak;
            flags |= VerFlagWeak;
            bytes[flagsOffset] = (byte)(flags & 0xff);
            bytes[flagsOffset + 1] = (byte)(flags >> 8);

            var temporary = libraryPath + ".compat-tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Delete(libraryPath);
            File.Move(temporary, libraryPath);
            return PatchOutcome.Patched;
        }
    }

#if !ELF_PATCHER_NO_MSBUILD
    /// <summary>MSBuild entry point: patches each given libLibTorchSharp.so when the host libstdc++ needs it.</summary>
    public class PatchTorchSharpForOldLibStdCxx : Task
    {
        [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Set to "true" to patch whatever the host has (used by tests); "false" to never patch.</summary>
        public string Force { get; set; } = "";

        public override bool Execute()
        {
            bool needed = Force == "true" || (Force != "false" && GlibcxxCompat.HostNeedsPatch(GlibcxxCompat.FindHostLibStdCxx()));
            if (!needed)
            {
                Log.LogMessage(MessageImportance.Low, "host libstdc++ defines {0}: TorchSharp needs no patch", GlibcxxCompat.MissingVersion);
                return true;
            }
            foreach (var library in Libraries)
            {
                var outcome = GlibcxxCompat.MarkVersionNeedWeak(library.ItemSpec);
                Log.LogMessage(outcome == PatchOutcome.Patched ? MessageImportance.High : MessageImportance.Low,
                    "{0}: {1} ({2} marked weak for this host's older libstdc++)", library.ItemSpec, outcome, GlibcxxCompat.MissingVersion);
            }
            return true;
        }
    }
#endif
}
