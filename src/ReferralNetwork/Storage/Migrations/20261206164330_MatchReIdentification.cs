using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReferralNetwork.Storage.Migrations
{
    /// <inheritdoc />
    public partial class MatchReIdentification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ReIdentification",
                table: "PossibleMatches",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReIdentification",
                table: "PossibleMatches");
        }
    }
}
