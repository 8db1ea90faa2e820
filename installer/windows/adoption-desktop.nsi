; Adoption Desktop - per-user Windows installer (NSIS 3, Unicode, Modern UI 2).
;
; Installs the PyInstaller one-folder bundle (dist\AdoptionDesktop: AdoptionDesktop.exe,
; adoption-desktop.exe, _internal\) for the current user only. No administrator rights are needed
; and nothing is written outside the user's profile: program files, Start-menu shortcuts and one
; HKCU uninstall entry.
;
; Build (from any folder; relative paths are resolved against this script's folder):
;   makensis -DVERSION=0.1.0 -DPAYLOAD=C:\src\dist\AdoptionDesktop
;            -DOUTFILE=C:\src\dist\AdoptionDesktop-Setup-0.1.0.exe installer\windows\adoption-desktop.nsi
;   Defaults: VERSION=0.0.0, PAYLOAD=..\..\dist\AdoptionDesktop, OUTFILE=AdoptionDesktop-Setup-${VERSION}.exe
;   VERSION is numeric with up to 4 parts (1.2.3); VIVERSION=a.b.c.d may be given for the file
;   version resource if VERSION carries a suffix.
;
; Install:
;   AdoptionDesktop-Setup-X.Y.Z.exe [/S] [/D=path]
;     /S        silent, no questions. Exit code 0 on success, 2 if it could not finish (for example
;               the application is running and its files are locked).
;     /D=path   install folder; must be the LAST argument and is not quoted, even with spaces.
;               Default: %LOCALAPPDATA%\Programs\Adoption Desktop, or the folder of an existing
;               installation (an upgrade is done in place; the old program files are removed first).
;
; Uninstall (Start menu, Settings > Apps, or directly):
;   "%LOCALAPPDATA%\Programs\Adoption Desktop\Uninstall.exe" [/S] [/REMOVEDATA]
;     /S           silent. Removes the program files, the shortcuts and the uninstall entry only.
;     /REMOVEDATA  with /S: ALSO deletes the user's data permanently - databases, key files, audit
;                  anchors, backups and logs (%LOCALAPPDATA%\AdoptionDesktop) and the settings
;                  (%APPDATA%\AdoptionDesktop). Without /S the user is asked instead (a checkbox,
;                  unticked by default, confirmed once more).
;   The database key in Windows Credential Manager ("Adoption Desktop") is never removed.
;   Note: Uninstall.exe copies itself to %TEMP% and returns at once; to wait for it and get its
;   exit code, run a copy from outside the install folder with "_?=<install folder>" as last argument.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

;--------------------------------------------------------------------------------------------------
; Build-time settings (override with -DNAME=value)

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef PAYLOAD
  !define PAYLOAD "${__FILEDIR__}\..\..\dist\AdoptionDesktop"
!endif
!ifndef OUTFILE
  !define OUTFILE "AdoptionDesktop-Setup-${VERSION}.exe"
!endif
!ifndef PUBLISHER
  !define PUBLISHER "Adoption Desktop"
!endif

; The version resource needs four numbers: 0.1.0 -> 0.1.0.0, 2.1 -> 2.1.0.0.
!ifndef VIVERSION
  !searchparse /noerrors "${VERSION}" "" _V1 "." _V2 "." _V3 "." _V4
  !ifndef _V1
    !define _V1 0
  !endif
  !ifndef _V2
    !define _V2 0
  !endif
  !ifndef _V3
    !define _V3 0
  !endif
  !ifndef _V4
    !define _V4 0
  !endif
  !define VIVERSION "${_V1}.${_V2}.${_V3}.${_V4}"
!endif

!if ! /FileExists "${PAYLOAD}\AdoptionDesktop.exe"
  !error "PAYLOAD=${PAYLOAD} has no AdoptionDesktop.exe; build it first: pyinstaller installer/adoption_desktop.spec"
!endif
!if ! /FileExists "${PAYLOAD}\adoption-desktop.exe"
  !error "PAYLOAD=${PAYLOAD} has no adoption-desktop.exe (the console program)"
!endif

!define APP_NAME "Adoption Desktop"
!define GUI_EXE "AdoptionDesktop.exe"
!define CLI_EXE "adoption-desktop.exe"
!define UNINSTALLER "Uninstall.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\AdoptionDesktop"
!define STARTMENU_DIR "$SMPROGRAMS\${APP_NAME}"
; The application's own per-user folders (platformdirs). Only deleted on an explicit request.
!define DATA_DIR "$LOCALAPPDATA\AdoptionDesktop"
!define SETTINGS_DIR "$APPDATA\AdoptionDesktop"

;--------------------------------------------------------------------------------------------------
; General

Name "${APP_NAME}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
; An existing installation's folder wins over the default (an upgrade goes to the same place);
; /D= on the command line wins over both.
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VIVERSION}"
VIFileVersion "${VIVERSION}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} installer"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "nsDialogs.nsh"

Var ExistingInstallDir  ; InstallLocation of an earlier installation, "" if none
Var RemoveData          ; uninstaller: "1" only on an explicit request (/S /REMOVEDATA or the checkbox)
Var RemoveDataCheckbox

;--------------------------------------------------------------------------------------------------
; Pages

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME}"

!define MUI_PAGE_CUSTOMFUNCTION_PRE DirectoryPagePre
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

UninstPage custom un.RemoveDataPageCreate un.RemoveDataPageLeave
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

;--------------------------------------------------------------------------------------------------
; Shared by installer and uninstaller: make sure the program files can be replaced or removed.

!macro DEFINE_REMOVE_PROGRAM_FILES PREFIX
; Removes only the files this installer puts into $INSTDIR. The data folders are not touched.
; If the application is running its files are locked: ask to retry, or abort with exit code 2
; (silent mode aborts at once).
Function ${PREFIX}RemoveProgramFiles
  retry:
  StrCpy $0 ""
  ${If} ${FileExists} "$INSTDIR\${GUI_EXE}"
    ClearErrors
    FileOpen $1 "$INSTDIR\${GUI_EXE}" a   ; a running exe cannot be opened for writing
    ${If} ${Errors}
      StrCpy $0 "${GUI_EXE}"
    ${Else}
      FileClose $1
    ${EndIf}
  ${EndIf}
  ${If} ${FileExists} "$INSTDIR\${CLI_EXE}"
    ClearErrors
    FileOpen $1 "$INSTDIR\${CLI_EXE}" a
    ${If} ${Errors}
      StrCpy $0 "${CLI_EXE}"
    ${Else}
      FileClose $1
    ${EndIf}
  ${EndIf}

  ; _internal is renamed out of the way first: Windows refuses to rename a folder while a file in it
  ; is open, so a locked file stops us here, before anything is deleted and the install still works
  ${If} $0 == ""
  ${AndIf} ${FileExists} "$INSTDIR\_internal\*.*"
    RMDir /r "$INSTDIR\_internal.old"
    ClearErrors
    Rename "$INSTDIR\_internal" "$INSTDIR\_internal.old"
    ${If} ${Errors}
      StrCpy $0 "_internal"
    ${EndIf}
  ${EndIf}
  ${If} $0 == ""
    Delete "$INSTDIR\${GUI_EXE}"
    Delete "$INSTDIR\${CLI_EXE}"
    RMDir /r "$INSTDIR\_internal.old"
  ${EndIf}

  ${If} $0 != ""
    DetailPrint "In use: $INSTDIR\$0"
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
      "${APP_NAME} is running (or one of its files is in use):$\r$\n$INSTDIR\$0$\r$\n$\r$\nClose ${APP_NAME} and choose Retry, or Cancel to stop." \
      /SD IDCANCEL IDRETRY retry
    SetErrorLevel 2
    Abort "${APP_NAME} is running; nothing more was changed. Close it and run this again."
  ${EndIf}

  Delete "$INSTDIR\${UNINSTALLER}"
FunctionEnd
!macroend

!insertmacro DEFINE_REMOVE_PROGRAM_FILES ""
!insertmacro DEFINE_REMOVE_PROGRAM_FILES "un."

;--------------------------------------------------------------------------------------------------
; Installer

Function .onInit
  SetShellVarContext current
  ReadRegStr $ExistingInstallDir HKCU "${UNINST_KEY}" "InstallLocation"
FunctionEnd

Function DirectoryPagePre
  ; Upgrade: stay in the existing folder (unless /D= chose another one).
  ${If} $ExistingInstallDir != ""
  ${AndIf} $ExistingInstallDir == $INSTDIR
    Abort
  ${EndIf}
FunctionEnd

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"

  ; Upgrade in place: the old program files go first so that no stale module stays behind. Only when
  ; this folder holds Adoption Desktop, so that /D= pointing at some other folder never deletes
  ; anything that is not ours.
  ${If} ${FileExists} "$INSTDIR\${GUI_EXE}"
  ${OrIf} ${FileExists} "$INSTDIR\${CLI_EXE}"
    DetailPrint "Removing the previous version's program files"
    Call RemoveProgramFiles
  ${EndIf}

  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateDirectory "${STARTMENU_DIR}"
  CreateShortCut "${STARTMENU_DIR}\${APP_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
  ; cmd /k keeps the console open so the PASS/FAIL lines can be read.
  CreateShortCut "${STARTMENU_DIR}\${APP_NAME} self-test.lnk" "$SYSDIR\cmd.exe" \
    '/k ""$INSTDIR\${CLI_EXE}" self-test"' "$INSTDIR\${GUI_EXE}" 0
  CreateShortCut "${STARTMENU_DIR}\Uninstall ${APP_NAME}.lnk" "$INSTDIR\${UNINSTALLER}"

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  SectionGetSize ${SecMain} $0   ; KB, as EstimatedSize expects
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

;--------------------------------------------------------------------------------------------------
; Uninstaller

Function un.onInit
  SetShellVarContext current
  StrCpy $RemoveData "0"
  ; Silent uninstall deletes the data only with exactly /REMOVEDATA on the command line.
  ${If} ${Silent}
    ${GetParameters} $0
    ClearErrors
    ${GetOptions} $0 "/REMOVEDATA" $1
    ${IfNot} ${Errors}
    ${AndIf} $1 == ""
      StrCpy $RemoveData "1"
    ${EndIf}
  ${EndIf}
FunctionEnd

; Interactive only (pages are skipped in silent mode): an unticked checkbox, confirmed once more.
Function un.RemoveDataPageCreate
  !insertmacro MUI_HEADER_TEXT "Your data" "Choose whether to keep your databases, backups and settings."
  nsDialogs::Create 1018
  Pop $0
  ${If} $0 == error
    Abort
  ${EndIf}
  ${NSD_CreateLabel} 0 0 100% 70u \
    "Uninstalling removes the program only. Your databases, key files, backups, logs and settings stay in:$\r$\n    ${DATA_DIR}$\r$\n    ${SETTINGS_DIR}$\r$\nso that a later installation finds them again."
  Pop $0
  ${NSD_CreateCheckbox} 0 76u 100% 12u "&Also delete all my data (databases and backups) permanently"
  Pop $RemoveDataCheckbox
  ${NSD_CreateLabel} 0 94u 100% 40u \
    "This cannot be undone. The database key stored in Windows Credential Manager is not removed by the uninstaller."
  Pop $0
  nsDialogs::Show
FunctionEnd

Function un.RemoveDataPageLeave
  StrCpy $RemoveData "0"
  ${NSD_GetState} $RemoveDataCheckbox $0
  ${If} $0 == ${BST_CHECKED}
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 \
      "Delete ALL Adoption Desktop data permanently?$\r$\n$\r$\nEvery database, key file and backup in$\r$\n${DATA_DIR}$\r$\nand the settings in ${SETTINGS_DIR} will be deleted. This cannot be undone.$\r$\n$\r$\nThe database key in Windows Credential Manager is not removed." \
      /SD IDNO IDYES confirmed
    ${NSD_Uncheck} $RemoveDataCheckbox
    Abort  ; stay on this page
    confirmed:
    StrCpy $RemoveData "1"
  ${EndIf}
FunctionEnd

Section "Uninstall"
  Call un.RemoveProgramFiles
  SetOutPath "$TEMP"  ; Windows will not remove a folder that is a process's working folder
  RMDir "$INSTDIR"   ; only if empty: never delete what someone else put there

  Delete "${STARTMENU_DIR}\${APP_NAME}.lnk"
  Delete "${STARTMENU_DIR}\${APP_NAME} self-test.lnk"
  Delete "${STARTMENU_DIR}\Uninstall ${APP_NAME}.lnk"
  RMDir "${STARTMENU_DIR}"

  DeleteRegKey HKCU "${UNINST_KEY}"

  ${If} $RemoveData == "1"
    ${If} $LOCALAPPDATA != ""
      DetailPrint "Deleting data: ${DATA_DIR}"
      RMDir /r "${DATA_DIR}"
    ${EndIf}
    ${If} $APPDATA != ""
      DetailPrint "Deleting settings: ${SETTINGS_DIR}"
      RMDir /r "${SETTINGS_DIR}"
    ${EndIf}
  ${Else}
    DetailPrint "Kept your data: ${DATA_DIR} and ${SETTINGS_DIR}"
  ${EndIf}
SectionEnd
