"""The Office add-in manifest (XML): task pane, ribbon button and the PAKT custom functions.

All URLs derive from the public base URL the server is configured with, so
district IT can put the server behind any HTTPS name, also under a sub-path.

Excel caches the functions metadata per add-in and refreshes it when the
manifest's version changes: the version's last part is a digest of the formula
set, so a server update that adds or changes a formula reaches every Excel.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from importlib.metadata import PackageNotFoundError, version
from xml.sax.saxutils import escape, quoteattr

from ._origins import origin_of

NAMESPACE = "PAKT"
_ID_SEED = uuid.UUID("6f1f2c1e-9b1a-4c55-8d5e-2b0d3c4a7e10")

ICON_SIZES = (16, 32, 64, 80)
"""Microsoft's required sizes: IconUrl 32, HighResolutionIconUrl 64, ribbon images 16, 32 and 80 pixels."""

MIN_EXCEL_API = "1.7"
"""The highest ExcelApi set the task pane uses without checking for it first (getRangeByIndexes); everything
newer (notes, culture settings) it asks Office for at run time and does without."""


def manifest_version(functions_meta: dict) -> str:
    """Pakt's release as the first three parts, a digest of the formula metadata as the fourth (0-65535)."""
    digest = hashlib.sha256(json.dumps(functions_meta, sort_keys=True).encode()).digest()
    release = [int(part) for part in _release().split(".")[:3] if part.isdigit()]
    release += [0] * (3 - len(release))
    return ".".join(str(p) for p in [*release, int.from_bytes(digest[:2], "big")])


def addin_id(district_key: str) -> str:
    """A stable add-in id per district (Office keys settings and caches by it)."""
    return str(uuid.uuid5(_ID_SEED, f"pakt-{district_key}"))


def _release() -> str:
    try:
        return version("pakt-integration")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0"


def manifest_xml(base_url: str, district_name: str, district_key: str, version: str) -> str:
    """The manifest with every URL under `base_url` (e.g. https://pakt.landkreis-tuttlingen.de)."""
    base = base_url.rstrip("/")

    def url(path: str) -> str:
        return quoteattr(f"{base}/{path}")

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
           xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
           xmlns:ov="http://schemas.microsoft.com/office/taskpaneappversionoverrides"
           xsi:type="TaskPaneApp">
  <Id>{addin_id(district_key)}</Id>
  <Version>{escape(version)}</Version>
  <ProviderName>{escape(district_name)}</ProviderName>
  <DefaultLocale>de-DE</DefaultLocale>
  <DisplayName DefaultValue={quoteattr(f"Pakt – {district_name}")}/>
  <Description DefaultValue="Meldungen zum Pakt für Integration prüfen, einreichen und im Landkreis zusammenführen."/>
  <IconUrl DefaultValue={url("static/icon-32.png")}/>
  <HighResolutionIconUrl DefaultValue={url("static/icon-64.png")}/>
  <SupportUrl DefaultValue={url("taskpane.html")}/>
  <AppDomains>
    <AppDomain>{escape(origin_of(base))}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Workbook"/>
  </Hosts>
  <Requirements>
    <Sets DefaultMinVersion="1.1">
      <Set Name="SharedRuntime" MinVersion="1.1"/>
      <Set Name="ExcelApi" MinVersion="{MIN_EXCEL_API}"/>
    </Sets>
  </Requirements>
  <DefaultSettings>
    <SourceLocation DefaultValue={url("taskpane.html")}/>
  </DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/taskpaneappversionoverrides" xsi:type="VersionOverridesV1_0">
    <Hosts>
      <Host xsi:type="Workbook">
        <Runtimes>
          <Runtime resid="Taskpane.Url" lifetime="long"/>
        </Runtimes>
        <AllFormFactors>
          <ExtensionPoint xsi:type="CustomFunctions">
            <Script>
              <SourceLocation resid="Functions.Script.Url"/>
            </Script>
            <Page>
              <SourceLocation resid="Taskpane.Url"/>
            </Page>
            <Metadata>
              <SourceLocation resid="Functions.Metadata.Url"/>
            </Metadata>
            <Namespace resid="Functions.Namespace"/>
          </ExtensionPoint>
        </AllFormFactors>
        <DesktopFormFactor>
          <GetStarted>
            <Title resid="GetStarted.Title"/>
            <Description resid="GetStarted.Description"/>
            <LearnMoreUrl resid="Taskpane.Url"/>
          </GetStarted>
          <FunctionFile resid="Taskpane.Url"/>
          <ExtensionPoint xsi:type="PrimaryCommandSurface">
            <OfficeTab id="TabHome">
              <Group id="Pakt.Group">
                <Label resid="Group.Label"/>
                <Icon>
                  <bt:Image size="16" resid="Icon.16"/>
                  <bt:Image size="32" resid="Icon.32"/>
                  <bt:Image size="80" resid="Icon.80"/>
                </Icon>
                <Control xsi:type="Button" id="Pakt.Taskpane">
                  <Label resid="Button.Label"/>
                  <Supertip>
                    <Title resid="Button.Label"/>
                    <Description resid="Button.Tooltip"/>
                  </Supertip>
                  <Icon>
                    <bt:Image size="16" resid="Icon.16"/>
                    <bt:Image size="32" resid="Icon.32"/>
                    <bt:Image size="80" resid="Icon.80"/>
                  </Icon>
                  <Action xsi:type="ShowTaskpane">
                    <SourceLocation resid="Taskpane.Url"/>
                  </Action>
                </Control>
              </Group>
            </OfficeTab>
          </ExtensionPoint>
        </DesktopFormFactor>
      </Host>
    </Hosts>
    <Resources>
      <bt:Images>
        <bt:Image id="Icon.16" DefaultValue={url("static/icon-16.png")}/>
        <bt:Image id="Icon.32" DefaultValue={url("static/icon-32.png")}/>
        <bt:Image id="Icon.80" DefaultValue={url("static/icon-80.png")}/>
      </bt:Images>
      <bt:Urls>
        <bt:Url id="Taskpane.Url" DefaultValue={url("taskpane.html")}/>
        <bt:Url id="Functions.Script.Url" DefaultValue={url("functions.js")}/>
        <bt:Url id="Functions.Metadata.Url" DefaultValue={url("functions.json")}/>
      </bt:Urls>
      <bt:ShortStrings>
        <bt:String id="Functions.Namespace" DefaultValue="{NAMESPACE}"/>
        <bt:String id="GetStarted.Title" DefaultValue={quoteattr(f"Pakt – {district_name}")}/>
        <bt:String id="Group.Label" DefaultValue="Pakt"/>
        <bt:String id="Button.Label" DefaultValue="Pakt öffnen"/>
      </bt:ShortStrings>
      <bt:LongStrings>
        <bt:String id="GetStarted.Description" DefaultValue="Pakt ist geladen: Reiter Start, Schaltfläche „Pakt öffnen“. Formeln: =PAKT.PAUSCHALE(…)"/>
        <bt:String id="Button.Tooltip" DefaultValue="Meldung prüfen, einreichen oder die Übersicht aktualisieren."/>
      </bt:LongStrings>
    </Resources>
  </VersionOverrides>
</OfficeApp>
"""
