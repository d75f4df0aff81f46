namespace ReferralNetwork.Hosting;

/// <summary>The platform will not run (or a command will not act) as configured; the reasons say what to change.</summary>
public sealed class StartupRefusedException(string heading, IReadOnlyList<string> reasons, string? advice = null)
    : Exception($"{heading} {string.Join(" ", reasons)} {advice}")
{
    public IReadOnlyList<string> Reasons { get; } = reasons;

    public void WriteTo(TextWriter writer)
    {
        writer.WriteLine(heading);
        foreach (var reason in Reasons)
        {
            writer.WriteLine($"  - {reason}");
        }

        if (advice is not null)
        {
            writer.WriteLine(advice);
        }
    }
}
