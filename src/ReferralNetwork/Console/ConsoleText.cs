namespace ReferralNetwork.WebConsole;

/// <summary>
/// The console's strings: <c>Resources/WebConsole.ConsoleText.resx</c> (English, also the fallback) and one <c>…ConsoleText.{language}.resx</c>
/// per language beside it. Pages read them through <c>T["Key"]</c> (an <c>IStringLocalizer&lt;ConsoleText&gt;</c>).
/// </summary>
public sealed class ConsoleText;
