using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReferralNetwork.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Dashboards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DashboardCases",
                columns: table => new
                {
                    ReferralId = table.Column<Guid>(type: "uuid", nullable: false),
                    IdentifiedIn = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Nationality = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    IdentifiedMonth = table.Column<int>(type: "integer", nullable: false),
                    IdentifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Sex = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    AgeBand = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Forms = table.Column<int>(type: "integer", nullable: false),
                    MainForm = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FurthestStage = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Elements = table.Column<int>(type: "integer", nullable: false),
                    Indicators = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ReturnedMonth = table.Column<int>(type: "integer", nullable: true),
                    DaysToReturn = table.Column<int>(type: "integer", nullable: true),
                    ClosedMonth = table.Column<int>(type: "integer", nullable: true),
                    ClosureReason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    ScreeningVersion = table.Column<int>(type: "integer", nullable: false),
                    SubjectVersion = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DashboardCases", x => x.ReferralId);
                });

            migrationBuilder.CreateTable(
                name: "DashboardHandoffs",
                columns: table => new
                {
                    HandoffId = table.Column<Guid>(type: "uuid", nullable: false),
                    FromCountry = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ToCountry = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Offered = table.Column<bool>(type: "boolean", nullable: false),
                    OfferedMonth = table.Column<int>(type: "integer", nullable: false),
                    OfferedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RespondBy = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AnsweredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    HoursToAnswer = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DashboardHandoffs", x => x.HandoffId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DashboardCases_ClosedMonth",
                table: "DashboardCases",
                column: "ClosedMonth");

            migrationBuilder.CreateIndex(
                name: "IX_DashboardCases_IdentifiedMonth_IdentifiedIn",
                table: "DashboardCases",
                columns: new[] { "IdentifiedMonth", "IdentifiedIn" });

            migrationBuilder.CreateIndex(
                name: "IX_DashboardCases_ReturnedMonth",
                table: "DashboardCases",
                column: "ReturnedMonth");

            migrationBuilder.CreateIndex(
                name: "IX_DashboardHandoffs_OfferedMonth",
                table: "DashboardHandoffs",
                column: "OfferedMonth");

            migrationBuilder.CreateIndex(
                name: "IX_DashboardHandoffs_Status_RespondBy",
                table: "DashboardHandoffs",
                columns: new[] { "Status", "RespondBy" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DashboardCases");

            migrationBuilder.DropTable(
                name: "DashboardHandoffs");
        }
    }
}
