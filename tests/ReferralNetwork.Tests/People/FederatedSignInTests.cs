using System.Net;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Hosting;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.People;

/// <summary>
/// Thailand federates its government's identity provider (a second OpenID Connect server in process): Thai people sign
/// in there, are mapped to their platform account by the e-mail address it asserts, and land in their own organization;
/// nobody else is let in through it, and Thai passwords no longer open the console. Supervisors must have a second
/// factor here, which the provider's own second factor satisfies.
/// </summary>
public sealed class FederatedSignInTests(FederatedSignInTests.FederatedPlatform federated) : IClassFixture<FederatedSignInTests.FederatedPlatform>
{
    private const string Provider = "th-gov";

    private static readonly Dictionary<string, GovernmentIdp.Account> Accounts = new()
    {
        ["somchai"] = new("th-civil-servant-0001", "officer@th-focal-point", SecondFactor: false),
        ["malee"] = new("th-civil-servant-0002", "supervisor@th-focal-point", SecondFactor: false),
        ["malee-with-token"] = new("th-civil-servant-0002", "supervisor@th-focal-point", SecondFactor: true),
        ["nobody"] = new("th-civil-servant-0003", "nobody@example.org", SecondFactor: false),
        ["vietnamese"] = new("th-civil-servant-0004", "officer@vn-focal-point", SecondFactor: false),
        ["shelter"] = new("th-civil-servant-0005", "officer@th-shelter-bangkok", SecondFactor: false),
    };

    private GovernmentIdp Idp => federated.Idp;

    private PlatformFactory Platform => federated.Factory;

    /// <summary>
    /// One provider and one platform for the class: each test signs in with accounts of its own (the disabled one is
    /// the shelter's, used nowhere else), so sharing them costs no test its independence, only the start-up.
    /// </summary>
    public sealed class FederatedPlatform : OwnPlatform
    {
        public GovernmentIdp Idp { get; private set; } = null!;

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await Idp.DisposeAsync();
        }

        protected override async ValueTask<PlatformFactory> CreateAsync(string data)
        {
            Idp = await GovernmentIdp.StartAsync(new Uri(ConsoleSession.Site(Federation.CallbackOf(Provider))), Accounts);
            var settings = GovernmentIdp.PlatformSettings(Provider, "TH");
            settings["Identity:RequireSecondFactorFor:0"] = "supervisor";
            return new PlatformFactory(data)
            {
                Settings = settings,

                // The platform reaches the provider's discovery, keys and token endpoint in process.
                TestServices = services => services.Configure<OpenIdConnectOptions>(Federation.SchemeOf(Provider), o => o.BackchannelHttpHandler = Idp.Handler()),
            };
        }
    }

    [Fact]
    public async Task A_thai_officer_signs_in_through_the_government_provider_and_lands_in_their_own_organization()
    {
        using var session = Open();
        var home = await SignInThroughProviderAsync(session, "somchai");

        Assert.Equal("/console", home.Url.AbsolutePath);
        Assert.Contains("<h1>Work waiting</h1>", home.Html, StringComparison.Ordinal);
        Assert.Contains("somchai", Idp.SignedIn);
        var me = await session.GetAsync("/console/me");
        Assert.Contains("<dd>officer@th-focal-point</dd>", me.Html, StringComparison.Ordinal);
        Assert.Contains("<dd>th-focal-point</dd>", me.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nobody")] // the provider vouches for someone with no account here
    [InlineData("vietnamese")] // an account of a country the provider does not serve
    public async Task An_answer_that_names_no_person_of_the_providers_countries_opens_no_session(string account)
    {
        using var session = Open();
        var refused = await SignInThroughProviderAsync(session, account);

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("is not linked to an account here", refused.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(Accounts[account].Email, refused.Html, StringComparison.Ordinal);
        var console = await session.GetAsync("/console");
        Assert.Equal("/account/login", console.Url.AbsolutePath);
    }

    [Fact]
    public async Task A_thai_password_no_longer_opens_the_console_while_other_countries_passwords_still_do()
    {
        var (thai, refused) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using (thai)
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains("sign in through your government", refused.Html, StringComparison.Ordinal);
        }

        // A wrong password learns nothing more than any wrong password.
        var (guess, wrong) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point", password: "not the password");
        using (guess)
        {
            Assert.Contains("is not right", wrong.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("government", wrong.Html[wrong.Html.IndexOf("role=\"alert\"", StringComparison.Ordinal)..][..300], StringComparison.Ordinal);
        }

        var (vietnamese, home) = await ConsoleSession.SignInAsync(Platform, "officer@vn-focal-point");
        using (vietnamese)
        {
            Assert.Contains("<h1>Work waiting</h1>", home.Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_supervisor_gives_the_platforms_second_factor_unless_the_provider_already_asked_for_one()
    {
        using (var withoutToken = Open())
        {
            var setUp = await SignInThroughProviderAsync(withoutToken, "malee");
            Assert.Equal("/account/set-up-second-factor", setUp.Url.AbsolutePath);
            Assert.Equal("/account/login", (await withoutToken.GetAsync("/console")).Url.AbsolutePath);
        }

        using var withToken = Open();
        var home = await SignInThroughProviderAsync(withToken, "malee-with-token");
        Assert.Contains("<h1>Work waiting</h1>", home.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_person_is_refused_even_when_the_provider_vouches_for_them()
    {
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
            var person = (await people.FindByNameAsync("officer@th-shelter-bangkok"))!;
            person.DisabledAt = DateTimeOffset.UtcNow;
            Assert.True((await people.UpdateAsync(person)).Succeeded);
        }

        using var session = Open();
        var refused = await SignInThroughProviderAsync(session, "shelter");

        Assert.Contains("This account cannot sign in", refused.Html, StringComparison.Ordinal);
        Assert.Equal("/account/login", (await session.GetAsync("/console")).Url.AbsolutePath);
    }

    [Fact]
    public void A_provider_that_cannot_work_is_refused_at_start_and_production_fetches_keys_over_tls_only()
    {
        var good = new FederatedProvider { DisplayName = "ThaiD", Authority = new Uri("http://idp.example/"), ClientId = "rn", Countries = ["TH"] };
        var federation = new Federation(new Dictionary<string, FederatedProvider>
        {
            ["th-gov"] = good,
            ["Bad Name"] = new() { DisplayName = "", ClientId = "", Countries = ["TH"] },
        });

        var embedded = federation.Problems(PlatformProfile.Embedded).ToList();
        Assert.Contains(embedded, p => p.Contains("Bad Name: a provider's name", StringComparison.Ordinal));
        Assert.Contains(embedded, p => p.Contains("Bad Name:Authority is not an absolute URL", StringComparison.Ordinal));
        Assert.Contains(embedded, p => p.Contains("Bad Name:ClientId", StringComparison.Ordinal));
        Assert.Contains(embedded, p => p.Contains("which Identity:Federation:th-gov already serves", StringComparison.Ordinal));
        Assert.DoesNotContain(embedded, p => p.Contains("th-gov:", StringComparison.Ordinal));
        Assert.Contains(
            new Federation(new Dictionary<string, FederatedProvider> { ["th-gov"] = good }).Problems(PlatformProfile.Production),
            p => p.Contains("th-gov:Authority is not https", StringComparison.Ordinal));
    }

    private ConsoleSession Open() =>
        ConsoleSession.Open(Platform, new Dictionary<string, Func<HttpMessageHandler>> { [GovernmentIdp.Site] = Idp.Handler });

    /// <summary>The console, its sign-in page's provider button, the provider's own form: where the browser ends.</summary>
    private static async Task<TestBrowser.Page> SignInThroughProviderAsync(ConsoleSession session, string account)
    {
        var login = await session.GetAsync("/console");
        Assert.Contains("Sign in with ThaiD (test)", login.Html, StringComparison.Ordinal);
        var atProvider = await session.Browser.SubmitAsync(login, new Dictionary<string, string>(), "/account/federated");
        Assert.True(atProvider.Url.GetLeftPart(UriPartial.Path) == GovernmentIdp.Site + "/login", $"The provider's button led to {atProvider.Url} ({atProvider.Status}): {atProvider.Html[..Math.Min(2000, atProvider.Html.Length)]}");
        return await session.Browser.SubmitAsync(atProvider, new Dictionary<string, string> { ["account"] = account });
    }
}
