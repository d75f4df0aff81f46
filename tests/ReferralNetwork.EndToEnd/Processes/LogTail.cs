namespace ReferralNetwork.EndToEnd.Processes;

/// <summary>The end of a log file that a process may still be writing, for failure messages.</summary>
public static class LogTail
{
    /// <summary>The last <paramref name="maxChars"/> characters written from <paramref name="fromOffset"/> on.</summary>
    public static string Of(string path, long fromOffset = 0, int maxChars = 8000)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(fromOffset, stream.Length - (maxChars * 4L));
            stream.Seek(Math.Clamp(start, 0, stream.Length), SeekOrigin.Begin);
            var text = new StreamReader(stream).ReadToEnd();
            return start > fromOffset || text.Length > maxChars ? "…" + text[^Math.Min(maxChars, text.Length)..] : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(no log at {path}: {e.Message})";
        }
    }

    /// <summary>Where the next line will be written: the offset a start's own lines begin at.</summary>
    public static long End(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
