using ReferralNetwork.Hosting;

namespace ReferralNetwork.Subjects;

/// <summary>The <c>Subjects</c> configuration section.</summary>
public sealed class SubjectOptions
{
    public const string Section = "Subjects";

    /// <summary>
    /// Largest document the upload route accepts, in bytes. Scanned passports and PDFs outgrow the limit every other
    /// route keeps (<see cref="PlatformOptions.MaxRequestBodyBytes"/>), so this route has its own, and only this route.
    /// </summary>
    public long MaxDocumentBytes { get; set; } = 10 * 1024 * 1024;

    public static SubjectOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<SubjectOptions>() ?? new SubjectOptions();
}
