namespace ReferralNetwork.WebConsole;

/// <summary>The <c>Intake</c> configuration section: the console's bulk intake (<c>/console/intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>
    /// Rows of a list imported per request. A longer list is imported over several requests, each answered with where it
    /// got to (the page goes on by itself), so that none outlasts a reverse proxy's timeout (often 60 s) on a busy silo.
    /// A multiple of the batch size (500) wastes no turn.
    /// </summary>
    public int RowsPerRequest { get; set; } = 1_000;

    public void Validate()
    {
        if (RowsPerRequest < 1)
        {
            throw new InvalidOperationException($"{Section}:RowsPerRequest must be at least 1.");
        }
    }
}
