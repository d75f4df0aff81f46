namespace ReferralNetwork.Hosting;

/// <summary>
/// The command of the executable, its first argument: none runs the platform. Everything after the command
/// (and every argument when there is none) is configuration in ASP.NET Core's command-line syntax.
/// </summary>
public sealed record PlatformCommand(string? Name, string? Argument, string[] HostArguments, string? Usage = null, string? SecondArgument = null)
{
    public const string CreateAdmin = "create-admin";
    public const string Migrate = "migrate";
    public const string ImportDirectory = "import-directory";
    public const string RotateKeys = "rotate-keys";
    public const string Help = "help";
    public const string RebuildDashboards = "rebuild-dashboards";
    public const string SeedSynthetic = "seed-synthetic";
    public const string Backup = "backup";

    private const string HelpText = """
        usage: ReferralNetwork [--Section:Key=value ...]                            run the platform
               ReferralNetwork migrate [--Section:Key=value ...]                    create or update the storage schema, then exit
               ReferralNetwork import-directory <file.json> [--Section:Key=value ...]  add countries, organizations and OAuth clients, then exit
               ReferralNetwork rotate-keys [country] [--Section:Key=value ...]      add a new current key to the key ring (one country's, or all), then exit
               ReferralNetwork create-admin <organization> <e-mail> [--Section:Key=value ...]  the organization's first admin: an account and a one-time invitation link, then exit
               ReferralNetwork rebuild-dashboards [--Section:Key=value ...]         replay every referral's events into the dashboards' tables (embedded: platform stopped), then exit
               ReferralNetwork seed-synthetic <N> [--Section:Key=value ...]         DEVELOPMENT ONLY: N synthetic referrals into the dashboards' tables, then exit
               ReferralNetwork backup <folder> [--Section:Key=value ...]            embedded: copy the data folder's databases while the platform runs (not the keys), then exit
        """;

    public static PlatformCommand Parse(string[] args) => args switch
    {
        [Migrate, .. var rest] => new(Migrate, null, rest),
        [RotateKeys, var country, .. var rest] when !country.StartsWith('-') => new(RotateKeys, country, rest),
        [RotateKeys, .. var rest] => new(RotateKeys, null, rest),
        [ImportDirectory, var file, .. var rest] when !file.StartsWith('-') => new(ImportDirectory, file, rest),
        [CreateAdmin, var organization, var email, .. var rest] when !organization.StartsWith('-') && !email.StartsWith('-') => new(CreateAdmin, organization, rest, SecondArgument: email),
        [CreateAdmin, ..] => new(CreateAdmin, null, [], $"create-admin needs an organization id and an e-mail address.\n{HelpText}"),
        [ImportDirectory, ..] => new(ImportDirectory, null, [], $"import-directory needs the path of a directory file.\n{HelpText}"),
        [RebuildDashboards, .. var rest] => new(RebuildDashboards, null, rest),
        [SeedSynthetic, var count, .. var rest] when !count.StartsWith('-') => new(SeedSynthetic, count, rest),
        [SeedSynthetic, ..] => new(SeedSynthetic, null, [], $"seed-synthetic needs a number of referrals.\n{HelpText}"),
        [Backup, var folder, .. var rest] when !folder.StartsWith('-') => new(Backup, folder, rest),
        [Backup, ..] => new(Backup, null, [], $"backup needs the folder to write the backup to.\n{HelpText}"),
        [Help or "--help" or "-h" or "-?", ..] => new(Help, null, [], Usage: HelpText),
        // A bare word is neither a command nor configuration (which is --key value, key=value or /key value).
        [var first, ..] when !first.StartsWith('-') && !first.StartsWith('/') && !first.Contains('=') => new(null, null, [], $"unknown command '{first}'.\n{HelpText}"),
        _ => new(null, null, args),
    };
}
