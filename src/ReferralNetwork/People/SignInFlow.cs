using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Hosting;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.People;

/// <summary>
/// The steps of a person's sign-in that the pages share: password, then the second factor (or its set-up when the
/// person must have one and has none yet), then the session. Until the last step the person holds only Identity's
/// short two-factor cookie, which names them and proves the password, and nothing else.
/// </summary>
public sealed class SignInFlow(
    SignInManager<Person> signIn, PlatformDbContext db, TokenServerOptions options, PlatformOptions platform, Federation federation)
{
    /// <summary>The claim a session carries when the person signed in with a second factor.</summary>
    public const string SecondFactorAmr = "mfa";

    public UserManager<Person> People => signIn.UserManager;

    public enum Outcome
    {
        SignedIn,
        WrongPassword,
        LockedOut,
        NotAllowed,
        NeedsSecondFactor,
        NeedsSecondFactorSetUp,

        /// <summary>The right password of a person whose country signs in through its own identity provider only.</summary>
        UseFederatedSignIn,
    }

    public async Task<Outcome> PasswordAsync(string name, string password)
    {
        var person = await FindAsync(name);
        if (person is null)
        {
            return Outcome.WrongPassword;
        }

        if (await signIn.UserManager.IsLockedOutAsync(person))
        {
            return Outcome.LockedOut;
        }

        if (person.IsDisabled)
        {
            return Outcome.NotAllowed;
        }

        if (await FederatedOnlyAsync(person))
        {
            // The password still counts towards lockout, and only the right one learns that it is not the way in.
            var checkedPassword = await signIn.CheckPasswordSignInAsync(person, password, lockoutOnFailure: true);
            return checkedPassword switch
            {
                { Succeeded: true } => Outcome.UseFederatedSignIn,
                { IsLockedOut: true } => Outcome.LockedOut,
                _ => Outcome.WrongPassword,
            };
        }

        if (!person.TwoFactorEnabled && await MustHaveSecondFactorAsync(person))
        {
            // The password is checked (and counts towards lockout) without opening a session.
            var checkedPassword = await signIn.CheckPasswordSignInAsync(person, password, lockoutOnFailure: true);
            if (!checkedPassword.Succeeded)
            {
                return checkedPassword.IsLockedOut ? Outcome.LockedOut : Outcome.WrongPassword;
            }

            await signIn.Context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, PendingSecondFactor(person));
            return Outcome.NeedsSecondFactorSetUp;
        }

        var result = await signIn.PasswordSignInAsync(person, password, isPersistent: false, lockoutOnFailure: true);
        return result switch
        {
            { Succeeded: true } => Outcome.SignedIn,
            { RequiresTwoFactor: true } => Outcome.NeedsSecondFactor,
            { IsLockedOut: true } => Outcome.LockedOut,
            { IsNotAllowed: true } => Outcome.NotAllowed,
            _ => Outcome.WrongPassword,
        };
    }

    /// <summary>
    /// A person the country's identity provider vouched for: signed in at once when no second factor is required here or
    /// the provider's sign-in had one; else on to the platform's own second factor (or its set-up), as after a password.
    /// </summary>
    public async Task<Outcome> FederatedAsync(Person person, bool gaveSecondFactor)
    {
        if (person.IsDisabled)
        {
            return Outcome.NotAllowed;
        }

        if (await signIn.UserManager.IsLockedOutAsync(person))
        {
            return Outcome.LockedOut;
        }

        if (!gaveSecondFactor && await MustHaveSecondFactorAsync(person))
        {
            await signIn.Context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, PendingSecondFactor(person));
            return person.TwoFactorEnabled ? Outcome.NeedsSecondFactor : Outcome.NeedsSecondFactorSetUp;
        }

        await signIn.SignInWithClaimsAsync(person, isPersistent: false, gaveSecondFactor ? [new Claim("amr", SecondFactorAmr)] : []);
        return Outcome.SignedIn;
    }

    /// <summary>Whether the person's country signs in through its identity provider and not with passwords here.</summary>
    private async Task<bool> FederatedOnlyAsync(Person person)
    {
        if (federation.Providers.Count == 0)
        {
            return false;
        }

        var country = await db.Organizations.AsNoTracking().Where(o => o.Id == person.OrganizationId).Select(o => o.Country).SingleAsync();
        return federation.ForCountry(country) is { Provider.PasswordsToo: false };
    }

    /// <summary>The person between their password and their second factor, or null when there is none (or it expired).</summary>
    public Task<Person?> PendingAsync() => signIn.GetTwoFactorAuthenticationUserAsync();

    public async Task<Outcome> SecondFactorAsync(string code, bool isRecoveryCode)
    {
        var normalized = code.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        var result = isRecoveryCode
            ? await signIn.TwoFactorRecoveryCodeSignInAsync(code.Trim())
            : await signIn.TwoFactorAuthenticatorSignInAsync(normalized, isPersistent: false, rememberClient: false);
        return result switch
        {
            { Succeeded: true } => Outcome.SignedIn,
            { IsLockedOut: true } => Outcome.LockedOut,
            { IsNotAllowed: true } => Outcome.NotAllowed,
            _ => Outcome.WrongPassword,
        };
    }

    /// <summary>The authenticator key to enrol, made on first use and kept until the person confirms a code from it.</summary>
    public async Task<string> AuthenticatorKeyAsync(Person person)
    {
        var key = await signIn.UserManager.GetAuthenticatorKeyAsync(person);
        if (string.IsNullOrEmpty(key))
        {
            await signIn.UserManager.ResetAuthenticatorKeyAsync(person);
            key = await signIn.UserManager.GetAuthenticatorKeyAsync(person);
        }

        return key!;
    }

    /// <summary>
    /// Confirms the set-up with a code from the authenticator: the second factor is on, the session opens, and the
    /// recovery codes (shown once) come back; null when the code is wrong.
    /// </summary>
    public async Task<IReadOnlyList<string>?> CompleteSetUpAsync(Person person, string code)
    {
        var normalized = code.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        if (!await signIn.UserManager.VerifyTwoFactorTokenAsync(person, signIn.Options.Tokens.AuthenticatorTokenProvider, normalized))
        {
            await signIn.UserManager.AccessFailedAsync(person);
            return null;
        }

        await signIn.UserManager.SetTwoFactorEnabledAsync(person, true);
        var codes = await signIn.UserManager.GenerateNewTwoFactorRecoveryCodesAsync(person, 10);
        await signIn.Context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signIn.SignInWithClaimsAsync(person, isPersistent: false, [new Claim("amr", SecondFactorAmr)]);
        return [.. codes ?? []];
    }

    public async Task<bool> MustHaveSecondFactorAsync(Person person)
    {
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == person.OrganizationId);
        return SecondFactorPolicy.From(options, platform.Profile).IsRequiredFor(person, organization);
    }

    /// <summary>People sign in with their user name, which is also their e-mail address.</summary>
    private async Task<Person?> FindAsync(string name) =>
        await signIn.UserManager.FindByNameAsync(name.Trim()) ?? await signIn.UserManager.FindByEmailAsync(name.Trim());

    // What Identity's own two-factor step stores in its cookie: the person's id as the name.
    private static ClaimsPrincipal PendingSecondFactor(Person person) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, person.Id)], IdentityConstants.TwoFactorUserIdScheme));
}

/// <summary>The sign-in pages' texts (Console/Resources/People.SignInText.*.resx), in the six languages.</summary>
public sealed class SignInText;
