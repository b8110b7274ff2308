/**
 * WBXML token tables for SyncML 1.1/1.2 (OMA-TS-SyncML_RepPro 1.2, WBXML annex), the same
 * values as libwbxml's `sv_syncml_syncml12_tag_table` (src/wbxml_tables.c) and the Synthesis
 * SyncML RTK (xltdecwbxml.c / xlttags.c): code page 0 = SyncML, code page 1 = MetInf.
 */

/** Global WBXML tokens (WBXML 1.3 §7.1). */
export const WB = {
  SWITCH_PAGE: 0x00,
  END: 0x01,
  ENTITY: 0x02,
  STR_I: 0x03,
  LITERAL: 0x04,
  EXT_I_0: 0x40,
  EXT_I_1: 0x41,
  EXT_I_2: 0x42,
  PI: 0x43,
  LITERAL_C: 0x44,
  EXT_T_0: 0x80,
  EXT_T_1: 0x81,
  EXT_T_2: 0x82,
  STR_T: 0x83,
  LITERAL_A: 0x84,
  EXT_0: 0xc0,
  EXT_1: 0xc1,
  EXT_2: 0xc2,
  OPAQUE: 0xc3,
  LITERAL_AC: 0xc4,
} as const;

/** Tag bit flags. */
export const TAG_CONTENT = 0x40;
export const TAG_ATTRS = 0x80;

export const PAGE_SYNCML = 0;
export const PAGE_METINF = 1;

/** Code page 0: SyncML, tokens 0x05.. in order. */
const SYNCML_TAGS = [
  'Add', 'Alert', 'Archive', 'Atomic', 'Chal', 'Cmd', 'CmdID', 'CmdRef', 'Copy', 'Cred', 'Data', 'Delete',
  'Exec', 'Final', 'Get', 'Item', 'Lang', 'LocName', 'LocURI', 'Map', 'MapItem', 'Meta', 'MsgID', 'MsgRef',
  'NoResp', 'NoResults', 'Put', 'Replace', 'RespURI', 'Results', 'Search', 'Sequence', 'SessionID', 'SftDel',
  'Source', 'SourceRef', 'Status', 'Sync', 'SyncBody', 'SyncHdr', 'SyncML', 'Target', 'TargetRef',
  '', /* 0x30 reserved */ 'VerDTD', 'VerProto', 'NumberOfChanges', 'MoreData', 'Field', 'Filter', 'Record',
  'FilterType', 'SourceParent', 'TargetParent', 'Move', 'Correlator',
] as const;

/** Code page 1: MetInf, tokens 0x05.. in order. */
const METINF_TAGS = [
  'Anchor', 'EMI', 'Format', 'FreeID', 'FreeMem', 'Last', 'Mark', 'MaxMsgSize', 'Mem', 'MetInf', 'Next',
  'NextNonce', 'SharedMem', 'Size', 'Type', 'Version', 'MaxObjSize', 'FieldLevel',
] as const;

function table(names: readonly string[]): (string | undefined)[] {
  const t: (string | undefined)[] = new Array<string | undefined>(64).fill(undefined);
  names.forEach((n, i) => {
    if (n !== '') t[0x05 + i] = n;
  });
  return t;
}

/** token (low 6 bits) -> tag name, per code page. */
export const TAG_NAMES: readonly (readonly (string | undefined)[])[] = [table(SYNCML_TAGS), table(METINF_TAGS)];

/** tag name -> token, per code page. */
export const SYNCML_TOKENS: ReadonlyMap<string, number> = new Map(
  SYNCML_TAGS.flatMap((n, i) => (n === '' ? [] : [[n, 0x05 + i] as [string, number]])),
);
export const METINF_TOKENS: ReadonlyMap<string, number> = new Map(METINF_TAGS.map((n, i) => [n, 0x05 + i]));

/** WBXML public identifiers (WAP/OMA registry, as in libwbxml wbxml_tables.h). */
export const PUBLIC_ID = {
  UNKNOWN: 0x01,
  SYNCML_10: 0x0fd1,
  SYNCML_11: 0x0fd3,
  SYNCML_12: 0x1201,
} as const;

export const SYNCML_FPI_12 = '-//SYNCML//DTD SyncML 1.2//EN';
export const SYNCML_FPI_11 = '-//SYNCML//DTD SyncML 1.1//EN';

/** IANA MIBenum charsets. */
export const CHARSET_UTF8 = 0x6a;
export const CHARSET_LATIN1 = 0x04;
export const CHARSET_ASCII = 0x03;
