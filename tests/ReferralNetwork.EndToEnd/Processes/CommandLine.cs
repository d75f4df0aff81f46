using System.Diagnostics;
using System.Text;

namespace ReferralNetwork.EndToEnd.Processes;

/// <summary>Short commands run to their end: initdb, chown, <c>dotnet ReferralNetwork.dll migrate</c>.</summary>
public static class CommandLine
{
    /// <summary>
    /// Runs <paramref name="command"/> (the program, then its arguments) with a closed standard input and
    /// answers its exit code and output. One that outlasts <paramref name="timeout"/> is killed with all it
    /// started, and the failure shows what it had written.
    /// </summary>
    public static async Task<CommandResult> RunAsync(
        IReadOnlyList<string> command,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        LinuxProcesses.ApplyEnvironment(startInfo, environment);
        var text = string.Join(' ', command);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start `{text}`.");
        process.StandardInput.Close();
        // Read both pipes as they fill: a command blocked on a full pipe would never exit.
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            var written = await stdout + await stderr;
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"`{text}` did not finish within {timeout.TotalSeconds:0} s:\n{written}");
        }

        var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        return new CommandResult(process.ExitCode, output) { CommandText = text };
    }
}

/// <summary>A command that ran to its end: exit code, and standard output followed by standard error.</summary>
public sealed record CommandResult(int ExitCode, string Output)
{
    public required string CommandText { get; init; }

    /// <summary>This result if the command exited 0; otherwise a failure that shows its output.</summary>
    /// <param name="likelyCause">What to check first, for the one reading the failure.</param>
    public CommandResult EnsureSucceeded(string? likelyCause = null) =>
        ExitCode == 0 ? this : throw new CommandFailedException(this, likelyCause);
}

public sealed class CommandFailedException(CommandResult result, string? likelyCause)
    : Exception($"`{result.CommandText}` exited with code {result.ExitCode}{(likelyCause is null ? "" : $" ({likelyCause})")}:\n{result.Output}")
{
    public CommandResult Result { get; } = result;
}
