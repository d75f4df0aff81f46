using System.Diagnostics;
using System.Globalization;
using ReferralNetwork.Matching.Encoding;
using ReferralNetwork.MatchingBench;

// The matcher's quality and speed benchmark; docs/matching.md has the method and a run's figures.
//   dotnet run -c Release --project tests/ReferralNetwork.MatchingBench -- [--small] [--size N] [--pairs D]
//       [--seed S] [--grid] [--romanize] [--no-fold] [--timing-only]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
if (options.Romanize)
{
    RomanizationReport.Print();
    return 0;
}

Console.WriteLine($"# Matching benchmark: {options.Size:N0} encodings, {options.Pairs:N0} planted duplicate pairs, seed {options.Seed}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
Console.WriteLine();

var clock = Stopwatch.StartNew();
var data = SyntheticData.Build(options.Size, options.Pairs, options.Seed);
Console.WriteLine($"population generated in {clock.Elapsed.TotalSeconds:F1} s");
Console.WriteLine();

if (options.Grid)
{
    Grid.Run(data);
    return 0;
}

var parameters = ClkParameters.Default with { PhoneticFolding = !options.NoFold };
if (options.TimingOnly)
{
    Evaluation.CompareBlocking(data, parameters);
    return 0;
}

var evaluation = new Evaluation(data, parameters, LshParameters.Default);
evaluation.Run(options.Size >= 100_000);
return 0;

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Split(' ')[0];
    }
    catch (IOException)
    {
        return "?";
    }
}

internal sealed record Options(int Size, int Pairs, int Seed, bool Grid, bool Romanize, bool NoFold, bool TimingOnly)
{
    public static Options Parse(string[] args)
    {
        var small = args.Contains("--small");
        int Int(string name, int fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new Options(
            Int("--size", small ? 100_000 : 1_000_000),
            Int("--pairs", small ? 2_000 : 10_000),
            Int("--seed", 20261202),
            args.Contains("--grid"),
            args.Contains("--romanize"),
            args.Contains("--no-fold"),
            args.Contains("--timing-only"));
    }
}
