// Generated from Profiles/rules/sigma-logsources.yaml; SigmaLogsourceMapTests keeps the two equal.

extension SigmaLogsourceMap {
    /// The text of `Profiles/rules/sigma-logsources.yaml`, built in so the engine works without the file.
    public static let builtInYAML = #"""
# Sigma logsource → where the records are, for extriage's Sigma engine (Sources/Sigma).
#
# services: product → Sigma service → event-log channel names.
# categories: a Sigma category (optionally for one product) → the records that carry it: a
#   channel, the event IDs (none: any), and field renames from Sigma's names to the record's
#   own (names not listed pass through). A rule with both a category and a service keeps the
#   category's sources on the service's channels.
# The webserver category reads IIS W3C logs: the pseudo-channel `W3C`, fields named as in the
# log's #Fields: header.
#
# Sources: the Sigma taxonomy appendix (specification 2.1), pySigma's windows pipeline, the
# Sysmon event IDs, and Security 4688 field names as Chainsaw and Hayabusa map them.
# The built-in default (SigmaLogsourceMap.builtIn) is this exact text; a test keeps them equal.
version: 1
services:
  windows:
    application: [Application]
    application-experience:
      - Microsoft-Windows-Application-Experience/Program-Telemetry
      - Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant
    applocker:
      - Microsoft-Windows-AppLocker/MSI and Script
      - Microsoft-Windows-AppLocker/EXE and DLL
      - Microsoft-Windows-AppLocker/Packaged app-Deployment
      - Microsoft-Windows-AppLocker/Packaged app-Execution
    appmodel-runtime: [Microsoft-Windows-AppModel-Runtime/Admin]
    appxdeployment-server: [Microsoft-Windows-AppXDeploymentServer/Operational]
    appxpackaging-om: [Microsoft-Windows-AppxPackaging/Operational]
    bitlocker: [Microsoft-Windows-BitLocker/BitLocker Management]
    bits-client: [Microsoft-Windows-Bits-Client/Operational]
    capi2: [Microsoft-Windows-CAPI2/Operational]
    certificateservicesclient-lifecycle-system: [Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational]
    codeintegrity-operational: [Microsoft-Windows-CodeIntegrity/Operational]
    dhcp: [Microsoft-Windows-DHCP-Server/Operational]
    diagnosis-scripted: [Microsoft-Windows-Diagnosis-Scripted/Operational]
    dns-client: [Microsoft-Windows-DNS Client Events/Operational]
    dns-server: [DNS Server]
    dns-server-analytic: [Microsoft-Windows-DNS-Server/Analytical]
    dns-server-audit: [Microsoft-Windows-DNS-Server/Audit]
    driver-framework: [Microsoft-Windows-DriverFrameworks-UserMode/Operational]
    firewall-as: [Microsoft-Windows-Windows Firewall With Advanced Security/Firewall]
    hyper-v-worker: [Microsoft-Windows-Hyper-V-Worker]
    iis-configuration: [Microsoft-IIS-Configuration/Operational]
    kernel-event-tracing: [Microsoft-Windows-Kernel-EventTracing]
    kernel-shimengine: [Microsoft-Windows-Kernel-ShimEngine/Operational, Microsoft-Windows-Kernel-ShimEngine/Diagnostic]
    ldap: [Microsoft-Windows-LDAP-Client/Debug]
    ldap_debug: [Microsoft-Windows-LDAP-Client/Debug]
    lsa-server: [Microsoft-Windows-LSA/Operational]
    microsoft-servicebus-client: [Microsoft-ServiceBus-Client/Operational, Microsoft-ServiceBus-Client/Admin, Microsoft-ServiceBus-Client]
    msexchange-management: [MSExchange Management]
    ntfs: [Microsoft-Windows-Ntfs/Operational]
    ntlm: [Microsoft-Windows-NTLM/Operational]
    openssh: [OpenSSH/Operational]
    powershell: [Microsoft-Windows-PowerShell/Operational, PowerShellCore/Operational]
    powershell-classic: [Windows PowerShell]
    printservice-admin: [Microsoft-Windows-PrintService/Admin]
    printservice-operational: [Microsoft-Windows-PrintService/Operational]
    security: [Security]
    security-mitigations:
      - Microsoft-Windows-Security-Mitigations/Kernel Mode
      - Microsoft-Windows-Security-Mitigations/User Mode
    sense: [Microsoft-Windows-SENSE/Operational]
    servicebus-client: [Microsoft-ServiceBus-Client/Operational, Microsoft-ServiceBus-Client/Admin]
    shell-core: [Microsoft-Windows-Shell-Core/Operational]
    smbclient-connectivity: [Microsoft-Windows-SmbClient/Connectivity]
    smbclient-security: [Microsoft-Windows-SmbClient/Security]
    smbserver-connectivity: [Microsoft-Windows-SMBServer/Connectivity]
    sysmon: [Microsoft-Windows-Sysmon/Operational]
    system: [System]
    taskscheduler: [Microsoft-Windows-TaskScheduler/Operational]
    terminalservices-localsessionmanager: [Microsoft-Windows-TerminalServices-LocalSessionManager/Operational]
    terminalservices-remoteconnectionmanager: [Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational]
    remotedesktopservices-rdpcorets: [Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational]
    winrm: [Microsoft-Windows-WinRM/Operational]
    vhdmp: [Microsoft-Windows-VHDMP/Operational]
    windefend: [Microsoft-Windows-Windows Defender/Operational]
    wmi: [Microsoft-Windows-WMI-Activity/Operational]
categories:
  - category: process_creation
    product: windows
    sources:
      - channel: Microsoft-Windows-Sysmon/Operational
        event_ids: [1]
      - channel: Security
        event_ids: [4688]
        fields:
          Image: NewProcessName
          ParentImage: ParentProcessName
          User: SubjectUserName
          LogonId: SubjectLogonId
          ProcessId: NewProcessId
          ParentProcessId: ProcessId
          IntegrityLevel: MandatoryLabel
  - {category: file_change, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [2]}]}
  - {category: network_connection, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [3]}]}
  - {category: sysmon_status, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [4, 16]}]}
  - {category: process_termination, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [5]}]}
  - {category: driver_load, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [6]}]}
  - {category: image_load, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [7]}]}
  - {category: create_remote_thread, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [8]}]}
  - {category: raw_access_thread, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [9]}]}
  - {category: process_access, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [10]}]}
  - {category: file_event, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [11]}]}
  - {category: registry_add, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [12]}]}
  - {category: registry_delete, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [12]}]}
  - {category: registry_set, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [13]}]}
  - {category: registry_rename, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [14]}]}
  - {category: registry_event, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [12, 13, 14]}]}
  - {category: create_stream_hash, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [15]}]}
  - {category: pipe_created, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [17, 18]}]}
  - {category: wmi_event, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [19, 20, 21]}]}
  - {category: dns_query, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [22]}]}
  - {category: file_delete, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [23, 26]}]}
  - {category: clipboard_capture, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [24]}]}
  - {category: process_tampering, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [25]}]}
  - {category: file_delete_detected, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [26]}]}
  - {category: file_block_executable, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [27]}]}
  - {category: file_block_shredding, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [28]}]}
  - {category: file_executable_detected, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [29]}]}
  - {category: sysmon_error, product: windows, sources: [{channel: Microsoft-Windows-Sysmon/Operational, event_ids: [255]}]}
  - {category: ps_classic_start, product: windows, sources: [{channel: Windows PowerShell, event_ids: [400]}]}
  - {category: ps_classic_provider_start, product: windows, sources: [{channel: Windows PowerShell, event_ids: [600]}]}
  - {category: ps_classic_script, product: windows, sources: [{channel: Windows PowerShell, event_ids: [800]}]}
  - category: ps_module
    product: windows
    sources:
      - {channel: Microsoft-Windows-PowerShell/Operational, event_ids: [4103]}
      - {channel: PowerShellCore/Operational, event_ids: [4103]}
  - category: ps_script
    product: windows
    sources:
      - {channel: Microsoft-Windows-PowerShell/Operational, event_ids: [4104]}
      - {channel: PowerShellCore/Operational, event_ids: [4104]}
  - category: webserver
    sources:
      - channel: W3C
        fields:
          c-useragent: cs(User-Agent)
          cs-referrer: cs(Referer)
          cs-cookie: cs(Cookie)
"""#
}
