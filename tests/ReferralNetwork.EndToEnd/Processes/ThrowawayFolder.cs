namespace ReferralNetwork.EndToEnd.Processes;

/// <summary>
/// A private folder under the temp folder for a server, a cluster or a test: data, logs, certificates.
/// It is marked in use by a lock held for its lifetime.
/// A test run that was killed leaves its folders behind (its servers die with it, through their
/// watchdogs); the next run deletes every folder of the kind whose lock nobody holds any more.
/// </summary>
internal sealed class ThrowawayFolder : IDisposable
{
    private const string LockFileName = ".in-use";
    private readonly FileStream _lock;

    private ThrowawayFolder(string path, FileStream @lock)
    {
        Path = path;
        _lock = @lock;
    }

    public string Path { get; }

    public static ThrowawayFolder Create(string prefix)
    {
        DeleteAbandoned(prefix);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        return new ThrowawayFolder(path, Lock(path));
    }

    public void Dispose()
    {
        _lock.Dispose();
        LinuxProcesses.DeleteFolder(Path);
    }

    // FileShare.None takes an exclusive flock() on Linux, released by the kernel when the process dies.
    private static FileStream Lock(string folder) =>
        new(System.IO.Path.Combine(folder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    private static void DeleteAbandoned(string prefix)
    {
        foreach (var folder in Directory.EnumerateDirectories(System.IO.Path.GetTempPath(), $"{prefix}-*"))
        {
            try
            {
                if (!File.Exists(System.IO.Path.Combine(folder, LockFileName)))
                {
                    continue; // being created right now, or not one of ours
                }

                Lock(folder).Dispose();
                LinuxProcesses.DeleteFolder(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use by a running test process.
            }
        }
    }
}
