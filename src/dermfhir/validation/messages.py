"""The ids and texts of the validator's messages, in one place (as HL7's validator keeps its I18nConstants and
Messages.properties).

Every issue the checks report names a `MessageId` and an `IssueType`, and passes the values of the message's
placeholders: `run.error(IssueType.STRUCTURE, MessageId.RESOURCE_NOT_OBJECT, path, kind=_kind(value))`. `Run`
(see `context`) formats `TEXTS[message_id]` with them, only when an issue is reported.

- A member's value is the id its issues carry (the operationoutcome-message-id extension). Where HL7's validator has
  the message, it is HL7's id, byte for byte (clients and tests match them); where HL7's has none, the id is
  dermfhir's own, in the same style (`RESOURCE_NOT_OBJECT`, `TX_NOT_EXPANDABLE`, `FILE_UNREADABLE`, …).
- A few ids have more than one wording. Each wording has a member of its own (dermfhir's, named after the first
  with a suffix), and `REPORTED_AS` maps it to the first: its issues carry the first wording's id, as they always
  have. A wording that differs by a word (less / greater, minimum / maximum, fixed value / pattern) is a wording of
  its own, never a placeholder filled with the word.
- The issues of a failed invariant carry the constraint's own id (`url#key`, or the key), passed by the call site:
  `INVARIANT_FAILED` is the text only.
- The issues about the lexical form of a primitive value (`primitives.check_primitive`: `TYPE_SPECIFIC_CHECKS_…`,
  `XHTML_…`) carry the id of the value's type, `Type_Specific_Checks_DT_<type>_Valid` (`primitive_id`), whatever
  their wording.
- A placeholder holds a value (a code, a URL, a count, an exception's text, a list of values), never a sentence made
  elsewhere: no text is a placeholder alone. The one exception: the reasons a value set cannot be checked offline
  (`TX_NOT_EXPANDABLE_BECAUSE`) are the terminology service's own texts, which its operations report as well.

To add a message: add a member (its value the id to report, HL7's when HL7's validator has one), add its text to
`TEXTS` with named placeholders (`{url}`), and report it with `run.error(IssueType…, MessageId…, location,
url=…)`, or, outside a validation run, build the issue with `Issue.of(severity, IssueType…, MessageId…,
location, url=…)`. `tests/validation/test_messages.py` checks that every member has a text, that the texts are valid
templates, that no text is a placeholder alone, that no call site passes a text (or a word of one) of its own and
that no issue is built with a text of its own.
"""

from __future__ import annotations

from enum import StrEnum


class MessageId(StrEnum):
    """The id of every message. The value is the id an issue carries (the operationoutcome-message-id extension):
    HL7's where HL7's validator has the message, else dermfhir's own in the same style."""

    ALL_OK = "All_OK"
    ARRAY_CANNOT_BE_EMPTY = "Array_cannot_be_empty"
    ATTEMPT_TO_CHANGE_SLICING = "ATTEMPT_TO_CHANGE_SLICING"
    BDL_7 = "http://hl7.org/fhir/StructureDefinition/Bundle#bdl-7"
    BUNDLE_BUNDLE_ENTRY_CANONICAL = "Bundle_BUNDLE_Entry_Canonical"
    BUNDLE_BUNDLE_ENTRY_FOUND_MULTIPLE = "BUNDLE_BUNDLE_ENTRY_FOUND_MULTIPLE"
    BUNDLE_BUNDLE_ENTRY_IDURLMISMATCH = "Bundle_BUNDLE_Entry_IdUrlMismatch"
    BUNDLE_BUNDLE_ENTRY_NOTFOUND = "BUNDLE_BUNDLE_ENTRY_NOTFOUND"
    BUNDLE_BUNDLE_MULTIPLE_MATCHES = "BUNDLE_BUNDLE_MULTIPLE_MATCHES"
    BUNDLE_LINK_UNIQUE = "BUNDLE_LINK_UNIQUE"
    CAPABILITYSTATEMENTIMPL_SP_TYPE_MISMATCH = "CapabilityStatementImpl_SP_TYPE_MISMATCH"
    CONTAINED_ORPHAN_DOM3 = "Contained_Orphan_DOM3"
    CONTAINED_RES_DUPLICATE_ID = "CONTAINED_RES_DUPLICATE_ID"
    DISPLAY_NAME_FOR_SHOULD_BE_ONE_OF_INSTEAD_OF = "Display_Name_for__should_be_one_of__instead_of"
    DOM_2 = "dom-2"
    DOM_4 = "dom-4"
    DOM_5 = "dom-5"
    DUPLICATE_JSON_PROPERTY = "DUPLICATE_JSON_PROPERTY"
    ERROR_GENERATING_SNAPSHOT = "ERROR_GENERATING_SNAPSHOT"
    ERROR_GENERATING_SNAPSHOT_CHOICE_PATH = "ERROR_GENERATING_SNAPSHOT_Choice_Path"
    ERROR_PARSING_JSON = "ERROR_PARSING_JSON_"
    ERROR_PARSING_JSON_NOT_UTF8 = "ERROR_PARSING_JSON_Not_UTF8"
    ERROR_PARSING_XML = "ERROR_PARSING_XML"
    ERROR_PARSING_XML_UNKNOWN_TYPE = "ERROR_PARSING_XML_Unknown_Type"
    EXTENSION_EXT_CONTEXT_WRONG = "Extension_EXT_Context_Wrong"
    EXTENSION_EXT_MODIFIER_N = "Extension_EXT_Modifier_N"
    EXTENSION_EXT_MODIFIER_Y = "Extension_EXT_Modifier_Y"
    EXTENSION_EXT_TYPE = "Extension_EXT_Type"
    EXTENSION_EXT_UNKNOWN_DOMAIN = "Extension_EXT_Unknown_Domain"
    EXTENSION_EXT_UNKNOWN_NOTHERE = "Extension_EXT_Unknown_NotHere"
    EXTENSION_EXT_UNKNOWN_NOTHERE_NOT_LOADED = "Extension_EXT_Unknown_NotHere_NotLoaded"
    EXTENSION_EXT_URL_ABSENT = "Extension_EXT_URL_Absent"
    EXTENSION_EXT_URL_NOTFOUND = "Extension_EXT_Url_NotFound"
    EXTENSION_EXT_VERSION_INTERNAL = "Extension_EXT_Version_Internal"
    EXT_1 = "http://hl7.org/fhir/StructureDefinition/Extension#ext-1"
    FHIRPATH_EVALUATION_FAILED = "FHIRPATH_EVALUATION_FAILED"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    INTERNAL = "INTERNAL"
    INVARIANT_FAILED = "Invariant_Failed"
    JSON_COMMENTS_NOT_ALLOWED = "JSON_COMMENTS_NOT_ALLOWED"
    JSON_NULL = "JSON_NULL"
    JSON_NULL_ARRAY = "JSON_NULL_ARRAY"
    JSON_OBJECT = "JSON_OBJECT"
    JSON_OBJECT_ENTRY = "JSON_OBJECT_ENTRY"
    JSON_PRIMITIVE = "JSON_PRIMITIVE"
    JSON_PROPERTY_NOT_ARRAY = "JSON_PROPERTY_NOT_ARRAY"
    JSON_PROPERTY_NO_ARRAY = "JSON_PROPERTY_NO_ARRAY"
    JSON_PROPERTY_NO_ARRAY_OBJECT = "JSON_PROPERTY_NO_ARRAY_OBJECT"
    MARKDOWN_HTML = "MARKDOWN_HTML"
    NOT_JSON = "NOT_JSON"
    NOT_JSON_PROPERTY_NAME = "NOT_JSON_PROPERTY_NAME"
    OBJECT_MUST_HAVE_SOME_CONTENT = "Object_must_have_some_content"
    PROFILE_VAL_MISSINGELEMENT = "Profile_VAL_MissingElement"
    PROFILE_VAL_MISSINGELEMENT_NOT_OBJECT = "Profile_VAL_MissingElement_NotObject"
    PROFILE_VAL_MISSINGELEMENT_NO_MATCH = "Profile_VAL_MissingElement_NoMatch"
    PROFILE_VAL_MISSINGELEMENT_VALUE = "Profile_VAL_MissingElement_Value"
    PROFILE_VAL_NOTALLOWED = "Profile_VAL_NotAllowed"
    PROFILE_VAL_NOTALLOWED_COUNT = "Profile_VAL_NotAllowed_Count"
    PROFILE_VAL_NOTALLOWED_ELEMENT = "Profile_VAL_NotAllowed_Element"
    PROFILE_VAL_NOTALLOWED_IN_BASE = "Profile_VAL_NotAllowed_In_Base"
    PROFILE_VAL_NOTALLOWED_MISSING = "Profile_VAL_NotAllowed_Missing"
    PROFILE_VAL_NOTALLOWED_NOT_OBJECT = "Profile_VAL_NotAllowed_NotObject"
    PROFILE_VAL_NOTALLOWED_VALUE = "Profile_VAL_NotAllowed_Value"
    QUESTIONNAIRE_QR_ITEM_DECIMALPLACES = "Questionnaire_QR_Item_DecimalPlaces"
    QUESTIONNAIRE_QR_ITEM_EXCLUSIVE = "Questionnaire_QR_Item_Exclusive"
    QUESTIONNAIRE_QR_ITEM_GROUP = "Questionnaire_QR_Item_Group"
    QUESTIONNAIRE_QR_ITEM_MAXLENGTH = "Questionnaire_QR_Item_MaxLength"
    QUESTIONNAIRE_QR_ITEM_MAXOCCURS = "Questionnaire_QR_Item_MaxOccurs"
    QUESTIONNAIRE_QR_ITEM_MAXSIZE = "Questionnaire_QR_Item_MaxSize"
    QUESTIONNAIRE_QR_ITEM_MINLENGTH = "Questionnaire_QR_Item_MinLength"
    QUESTIONNAIRE_QR_ITEM_MINOCCURS = "Questionnaire_QR_Item_MinOccurs"
    QUESTIONNAIRE_QR_ITEM_MISSING = "Questionnaire_QR_Item_Missing"
    QUESTIONNAIRE_QR_ITEM_NOCODING = "Questionnaire_QR_Item_NoCoding"
    QUESTIONNAIRE_QR_ITEM_NOOPTION = "Questionnaire_QR_Item_NoOption"
    QUESTIONNAIRE_QR_ITEM_NOTENABLED = "Questionnaire_QR_Item_NotEnabled"
    QUESTIONNAIRE_QR_ITEM_NOTFOUND = "Questionnaire_QR_Item_NotFound"
    QUESTIONNAIRE_QR_ITEM_NOTINVS = "Questionnaire_QR_Item_NotInVS"
    QUESTIONNAIRE_QR_ITEM_ONLYONEA = "Questionnaire_QR_Item_OnlyOneA"
    QUESTIONNAIRE_QR_ITEM_ONLYONEI = "Questionnaire_QR_Item_OnlyOneI"
    QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS = "Questionnaire_QR_Item_Quantity_NoUnits"
    QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS_MAX = "Questionnaire_QR_Item_Quantity_NoUnits_Max"
    QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE = "Questionnaire_QR_Item_Quantity_Range"
    QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE_MAX = "Questionnaire_QR_Item_Quantity_Range_Max"
    QUESTIONNAIRE_QR_ITEM_RANGE = "Questionnaire_QR_Item_Range"
    QUESTIONNAIRE_QR_ITEM_RANGE_MAX = "Questionnaire_QR_Item_Range_Max"
    QUESTIONNAIRE_QR_ITEM_REFTYPE = "Questionnaire_QR_Item_RefType"
    QUESTIONNAIRE_QR_ITEM_REFTYPE_NOTALLOWED = "Questionnaire_QR_Item_RefType_NotAllowed"
    QUESTIONNAIRE_QR_ITEM_REGEX = "Questionnaire_QR_Item_Regex"
    QUESTIONNAIRE_QR_ITEM_WRONGTYPE = "Questionnaire_QR_Item_WrongType"
    QUESTIONNAIRE_QR_Q_NOTFOUND = "QUESTIONNAIRE_QR_Q_NOTFOUND"
    QUESTIONNAIRE_QR_Q_NOTFOUND_UNCHECKED = "QUESTIONNAIRE_QR_Q_NOTFOUND_UNCHECKED"
    REFERENCE_REF_AGGREGATION = "Reference_REF_Aggregation"
    REFERENCE_REF_BADTARGETTYPE = "Reference_REF_BadTargetType"
    REFERENCE_REF_CANTMATCHCHOICE = "Reference_REF_CantMatchChoice"
    REFERENCE_REF_CANTRESOLVE = "Reference_REF_CantResolve"
    REFERENCE_REF_NOTVALID = "Reference_REF_NotValid"
    REFERENCE_REF_RESOURCETYPE = "Reference_REF_ResourceType"
    REF_1 = "http://hl7.org/fhir/StructureDefinition/Reference#ref-1"
    RESOURCE_ABSTRACT = "Resource_abstract"
    RESOURCE_NOT_OBJECT = "RESOURCE_NOT_OBJECT"
    RESOURCE_RES_ID_MALFORMED = "RESOURCE_RES_ID_Malformed"
    RESOURCE_RES_ID_MALFORMED_CHARS = "RESOURCE_RES_ID_Malformed_Chars"
    RESOURCE_RES_ID_MALFORMED_LENGTH = "RESOURCE_RES_ID_Malformed_Length"
    RESOURCE_WRONG_TYPE = "RESOURCE_WRONG_TYPE"
    SD_DISCRIMINATOR_PATH_INVALID = "SD_DISCRIMINATOR_PATH_INVALID"
    SD_ILLEGAL_CHARACTERISTICS = "SD_ILLEGAL_CHARACTERISTICS"
    SD_NO_SLICING_ON_ROOT = "SD_NO_SLICING_ON_ROOT"
    SEARCHPARAMETER_BASE_WRONG = "SEARCHPARAMETER_BASE_WRONG"
    SEARCHPARAMETER_COMPOSITE_COMPONENTS = "SEARCHPARAMETER_COMPOSITE_COMPONENTS"
    SEARCHPARAMETER_EXPRESSION_ERROR = "SEARCHPARAMETER_EXPRESSION_ERROR"
    SEARCHPARAMETER_EXP_WRONG = "SEARCHPARAMETER_EXP_WRONG"
    SEARCHPARAMETER_NOTFOUND = "SEARCHPARAMETER_NOTFOUND"
    SEARCHPARAMETER_TYPE_WRONG = "SEARCHPARAMETER_TYPE_WRONG"
    SECURITY_STRING_CONTENT_ERROR = "SECURITY_STRING_CONTENT_ERROR"
    SECURITY_STRING_CONTENT_WARNING = "SECURITY_STRING_CONTENT_WARNING"
    SNAPSHOT_NO_MATCH = "SNAPSHOT_NO_MATCH"
    TERMINOLOGY_TX_CODE_NOTVALID = "Terminology_TX_Code_NotValid"
    TERMINOLOGY_TX_CODE_NOTVALID_DATED_COPY = "Terminology_TX_Code_NotValid_DatedCopy"
    TERMINOLOGY_TX_NOVALID_17 = "Terminology_TX_NoValid_17"
    TERMINOLOGY_TX_NOVALID_1_CC = "Terminology_TX_NoValid_1_CC"
    TERMINOLOGY_TX_SYSTEM_NOTKNOWN = "Terminology_TX_System_NotKnown"
    TERMINOLOGY_TX_SYSTEM_RELATIVE = "Terminology_TX_System_Relative"
    TERMINOLOGY_TX_SYSTEM_VALUESET2 = "Terminology_TX_System_ValueSet2"
    TOO_DEEP = "TOO_DEEP"
    TOO_DEEP_JSON = "TOO_DEEP_JSON"
    TOO_DEEP_RECURSION = "TOO_DEEP_RECURSION"
    TOO_LARGE = "TOO_LARGE"
    TOO_LARGE_NUMBER = "TOO_LARGE_NUMBER"
    TX_GENERAL = "TX_GENERAL"
    TX_NOT_EXPANDABLE = "TX_NOT_EXPANDABLE"
    TX_NOT_EXPANDABLE_BECAUSE = "TX_NOT_EXPANDABLE_BECAUSE"
    TYPE_SPECIFIC_CHECKS_DT_ATT_SIZE_CORRECT = "TYPE_SPECIFIC_CHECKS_DT_ATT_SIZE_CORRECT"
    TYPE_SPECIFIC_CHECKS_DT_CODE_WS = "Type_Specific_Checks_DT_Code_WS"
    TYPE_SPECIFIC_CHECKS_DT_DATETIME_TZ = "Type_Specific_Checks_DT_DateTime_TZ"
    TYPE_SPECIFIC_CHECKS_DT_DATE_CALENDAR = "Type_Specific_Checks_DT_Date_Calendar"
    TYPE_SPECIFIC_CHECKS_DT_DECIMAL_NOT_FINITE = "Type_Specific_Checks_DT_Decimal_NotFinite"
    TYPE_SPECIFIC_CHECKS_DT_FORMAT = "Type_Specific_Checks_DT_Format"
    TYPE_SPECIFIC_CHECKS_DT_ID_VALID = "Type_Specific_Checks_DT_ID_Valid"
    TYPE_SPECIFIC_CHECKS_DT_INTEGER_NOT_WHOLE = "Type_Specific_Checks_DT_Integer_NotWhole"
    TYPE_SPECIFIC_CHECKS_DT_INTEGER_RANGE = "Type_Specific_Checks_DT_Integer_Range"
    TYPE_SPECIFIC_CHECKS_DT_INTEGER_LT0 = "Type_Specific_Checks_DT_Integer_LT0"
    TYPE_SPECIFIC_CHECKS_DT_INTEGER_LT1 = "Type_Specific_Checks_DT_Integer_LT1"
    TYPE_SPECIFIC_CHECKS_DT_NOT_BOOLEAN = "Type_Specific_Checks_DT_NotBoolean"
    TYPE_SPECIFIC_CHECKS_DT_NOT_NUMBER = "Type_Specific_Checks_DT_NotNumber"
    TYPE_SPECIFIC_CHECKS_DT_NOT_STRING = "Type_Specific_Checks_DT_NotString"
    TYPE_SPECIFIC_CHECKS_DT_PRIMITIVE_NOT_EMPTY = "Type_Specific_Checks_DT_Primitive_NotEmpty"
    TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS = "Type_Specific_Checks_DT_Quantity_Units"
    TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS_MAX = "Type_Specific_Checks_DT_Quantity_Units_Max"
    TYPE_SPECIFIC_CHECKS_DT_RANGE = "Type_Specific_Checks_DT_Range"
    TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY = "Type_Specific_Checks_DT_Range_From_Today"
    TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY_MAX = "Type_Specific_Checks_DT_Range_From_Today_Max"
    TYPE_SPECIFIC_CHECKS_DT_RANGE_MAX = "Type_Specific_Checks_DT_Range_Max"
    TYPE_SPECIFIC_CHECKS_DT_STRING_LENGTH = "Type_Specific_Checks_DT_String_Length"
    TYPE_SPECIFIC_CHECKS_DT_STRING_TOO_LONG = "Type_Specific_Checks_DT_String_TooLong"
    TYPE_SPECIFIC_CHECKS_DT_STRING_WS = "Type_Specific_Checks_DT_String_WS"
    TYPE_SPECIFIC_CHECKS_DT_URI_WS = "Type_Specific_Checks_DT_URI_WS"
    UNABLE_TO_FIND_BASE_FOR = "UNABLE_TO_FIND_BASE__FOR_"
    UNABLE_TO_FIND_RESOURCETYPE = "Unable_to_find_resourceType"
    UNKNOWN_RESOURCE_TYPE = "Unknown_resource_type"
    UNMATCHED_DIFFERENTIAL_ELEMENT = "UNMATCHED_DIFFERENTIAL_ELEMENT"
    UNMATCHED_DIFFERENTIAL_ELEMENTS = "UNMATCHED_DIFFERENTIAL_ELEMENTS"
    UNRECOGNIZED_PROPERTY = "Unrecognized_property"
    UNRECOGNIZED_PROPERTY_NOT_PRIMITIVE = "Unrecognized_property_not_primitive"
    UNRECOGNIZED_PROPERTY_VALUE = "Unrecognized_property_value"
    VALIDATION_ISSUES_TRUNCATED = "VALIDATION_ISSUES_TRUNCATED"
    VALIDATION_VAL_PROFILE_MAXIMUM = "Validation_VAL_Profile_Maximum"
    VALIDATION_VAL_PROFILE_MINIMUM = "Validation_VAL_Profile_Minimum"
    VALIDATION_VAL_PROFILE_MINIMUM_SLICE = "Validation_VAL_Profile_Minimum_SLICE"
    VALIDATION_VAL_PROFILE_NOTSLICE = "Validation_VAL_Profile_NotSlice"
    VALIDATION_VAL_PROFILE_OUTOFORDER = "Validation_VAL_Profile_OutOfOrder"
    VALIDATION_VAL_PROFILE_OUTOFORDER_OPEN_AT_END = "Validation_VAL_Profile_OutOfOrder_OpenAtEnd"
    VALIDATION_VAL_PROFILE_UNKNOWN = "VALIDATION_VAL_PROFILE_UNKNOWN"
    VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY = "VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY"
    VALIDATION_VAL_PROFILE_WRONGTYPE = "Validation_VAL_Profile_WrongType"
    VALIDATION_VAL_PROFILE_WRONGTYPE_RESOURCE = "VALIDATION_VAL_PROFILE_WRONGTYPE"
    # QuestionnaireResponse structure and answers, unknown-extension policy
    QUESTIONNAIRE_QR_ITEM_TEXT = "Questionnaire_QR_Item_Text"
    QUESTIONNAIRE_QR_ITEM_ORDER = "Questionnaire_QR_Item_Order"
    QUESTIONNAIRE_QR_ITEM_WRONGPLACE = "Questionnaire_QR_Item_WrongPlace"
    QUESTIONNAIRE_QR_ITEM_DISPLAY = "Questionnaire_QR_Item_Display"
    QUESTIONNAIRE_QR_ITEM_GROUP_ANSWER = "Questionnaire_QR_Item_Group_Answer"
    QUESTIONNAIRE_QR_ITEM_MISSING_IN_PROGRESS = "Questionnaire_QR_Item_Missing_InProgress"
    QUESTIONNAIRE_QR_ITEM_WRONGTYPE_ONEOF = "Questionnaire_QR_Item_WrongType_OneOf"
    QUESTIONNAIRE_QR_ITEM_NOOPTIONS_OF_TYPE = "Questionnaire_QR_Item_NoOptions_OfType"
    QUESTIONNAIRE_QR_ITEM_VALUESET_NOTFOUND = "Questionnaire_QR_Item_ValueSet_NotFound"
    EXTENSION_EXT_UNKNOWN = "Extension_EXT_Unknown"
    EXTENSION_EXT_SUBEXTENSION_INVALID = "Extension_EXT_Subextension_Invalid"
    QUESTIONNAIRE_Q_ENABLEWHEN_NOTARGET = "Questionnaire_Q_EnableWhen_NoTarget"
    QUESTIONNAIRE_Q_ENABLEWHEN_SELF = "Questionnaire_Q_EnableWhen_Self"
    QUESTIONNAIRE_Q_ENABLEWHEN_ISINNER = "Questionnaire_Q_EnableWhen_IsInner"
    QUESTIONNAIRE_Q_ENABLEWHEN_AFTER = "Questionnaire_Q_EnableWhen_After"
    QUESTIONNAIRE_QR_ITEM_UNIT = "Questionnaire_QR_Item_Unit"
    QUESTIONNAIRE_QR_ITEM_MIMETYPE = "Questionnaire_QR_Item_MimeType"
    QUESTIONNAIRE_QR_ITEM_GROUP_MINOCCURS = "Questionnaire_QR_Item_Group_MinOccurs"
    QUESTIONNAIRE_QR_ITEM_GROUP_MAXOCCURS = "Questionnaire_QR_Item_Group_MaxOccurs"
    QUESTIONNAIRE_QR_ITEM_NOOPTIONS_UNCHECKED = "Questionnaire_QR_Item_NoOptions_Unchecked"
    QUESTIONNAIRE_QR_ITEM_DISPLAY_ANSWER = "Questionnaire_QR_Item_Display_Answer"
    QUESTIONNAIRE_QR_ITEM_QUESTION_ANSWER = "Questionnaire_QR_Item_Question_Answer"
    XHTML_XHTML_ACTIVE_CONTENT = "XHTML_XHTML_Active_Content"
    XHTML_XHTML_ATTRIBUTE_ILLEGAL = "XHTML_XHTML_Attribute_Illegal"
    XHTML_XHTML_ELEMENT_ILLEGAL = "XHTML_XHTML_Element_Illegal"
    XHTML_XHTML_ENTITY_ILLEGAL = "XHTML_XHTML_Entity_Illegal"
    XHTML_XHTML_NAME_INVALID = "XHTML_XHTML_Name_Invalid"
    XHTML_XHTML_NOT_WELL_FORMED = "XHTML_XHTML_Not_Well_Formed"
    XHTML_XHTML_NS_INVALID = "XHTML_XHTML_NS_InValid"
    XHTML_XHTML_NO_CONTENT = "XHTML_XHTML_No_Content"
    BUNDLE_BUNDLE_ENTRY_FULLURL_REQUIRED = "BUNDLE_BUNDLE_ENTRY_FULLURL_REQUIRED"
    CONTAINED_ORPHAN_NO_ID = "Contained_Orphan_No_Id"
    BUNDLE_BUNDLE_ENTRY_ORPHAN_DOCUMENT = "BUNDLE_BUNDLE_ENTRY_ORPHAN_DOCUMENT"
    TYPE_SPECIFIC_CHECKS_DT_UUID_VAID = "TYPE_SPECIFIC_CHECKS_DT_UUID_VAID"
    TYPE_SPECIFIC_CHECKS_DT_OID_VALID = "TYPE_SPECIFIC_CHECKS_DT_OID_VALID"
    TYPE_SPECIFIC_CHECKS_DT_CANONICAL_TYPE = "TYPE_SPECIFIC_CHECKS_DT_CANONICAL_TYPE"
    BUNDLE_SEARCH_NOID = "BUNDLE_SEARCH_NOID"
    BUNDLE_ENTRY_PUT_NO_ID = "BUNDLE_ENTRY_PUT_NO_ID"
    BUNDLE_ENTRY_URL_MATCHES_TYPE = "BUNDLE_ENTRY_URL_MATCHES_TYPE"
    BUNDLE_ENTRY_URL_MATCHES_TYPE_ID = "BUNDLE_ENTRY_URL_MATCHES_TYPE_ID"
    BUNDLE_SEARCH_NOSELF = "BUNDLE_SEARCH_NOSELF"
    BUNDLE_SEARCH_NO_MODE = "BUNDLE_SEARCH_NO_MODE"
    DUPLICATE_ID = "DUPLICATE_ID"
    SHC_NOT_JWS = "SHC_NOT_JWS"
    SHC_PAYLOAD_UNREADABLE = "SHC_PAYLOAD_UNREADABLE"
    SHC_SIGNATURE_NOT_CHECKED = "SHC_SIGNATURE_NOT_CHECKED"
    SHC_NO_BUNDLE = "SHC_NO_BUNDLE"
    CODESYSTEM_CS_SUPPLEMENT_AS_SYSTEM = "CODESYSTEM_CS_SUPPLEMENT_AS_SYSTEM"
    CODESYSTEM_CS_SUPPLEMENT_NEW_CODE = "CODESYSTEM_CS_SUPPLEMENT_NEW_CODE"
    TYPE_SPECIFIC_CHECKS_CANONICAL_ABSOLUTE = "TYPE_SPECIFIC_CHECKS_CANONICAL_ABSOLUTE"
    BUNDLE_SEARCH_OUTCOME_NOT_OO = "BUNDLE_SEARCH_OUTCOME_NOT_OO"
    BUNDLE_SEARCH_WRONG_TYPE = "BUNDLE_SEARCH_WRONG_TYPE"


#: The text of every message: a `str.format` template whose named placeholders the call site supplies.
TEXTS: dict[MessageId, str] = {
    MessageId.ALL_OK: "All OK",
    MessageId.ARRAY_CANNOT_BE_EMPTY: "Array cannot be empty - the property should not be present if it has no values",
    MessageId.ATTEMPT_TO_CHANGE_SLICING: (
        "The element at {first} defines the slicing {slicing} but then an element in the slicing {other} tries to "
        "redefine the slicing to {new_slicing}"
    ),
    MessageId.BDL_7: "Constraint failed: bdl-7: '{constraint}'",
    MessageId.BUNDLE_BUNDLE_ENTRY_CANONICAL: "The fullUrl must be an absolute URL (not '{full_url}')",
    MessageId.BUNDLE_BUNDLE_ENTRY_FOUND_MULTIPLE: "Found {count} matches for '{reference}' in the bundle ({name})",
    MessageId.BUNDLE_BUNDLE_ENTRY_IDURLMISMATCH: (
        "The fullUrl '{full_url}' does not match the resource id '{resource_id}'"
    ),
    MessageId.BUNDLE_BUNDLE_ENTRY_NOTFOUND: "Can't find '{reference}' in the bundle ({name})",
    MessageId.BUNDLE_BUNDLE_MULTIPLE_MATCHES: "Found {count} matches for '{reference}' in the bundle",
    MessageId.BUNDLE_LINK_UNIQUE: "The link relationship type '{relation}' can only occur once",
    MessageId.CAPABILITYSTATEMENTIMPL_SP_TYPE_MISMATCH: (
        "Type mismatch - SearchParameter '{label}' type is {expected_type}, but type here is {kind}"
    ),
    MessageId.CONTAINED_ORPHAN_DOM3: (
        "The contained resource '{item_id}' is not referenced to from elsewhere in the containing resource nor does it "
        "refer to the containing resource"
    ),
    MessageId.CONTAINED_RES_DUPLICATE_ID: "Duplicate id for contained resource ('{contained_id}')",
    MessageId.DISPLAY_NAME_FOR_SHOULD_BE_ONE_OF_INSTEAD_OF: (
        "Wrong Display Name '{display}' for {system}#{value}. Valid display is '{expected_display}'"
    ),
    MessageId.DOM_2: (
        "Constraint failed: dom-2: 'If the resource is contained in another resource, it SHALL NOT contain nested "
        "Resources'"
    ),
    MessageId.DOM_4: (
        "Constraint failed: dom-4: 'If a resource is contained in another resource, it SHALL NOT have a meta.versionId "
        "or a meta.lastUpdated'"
    ),
    MessageId.DOM_5: (
        "Constraint failed: dom-5: 'If a resource is contained in another resource, it SHALL NOT have a security label'"
    ),
    MessageId.DUPLICATE_JSON_PROPERTY: "The JSON property '{property_name}' is a duplicate and will be ignored",
    MessageId.ERROR_GENERATING_SNAPSHOT: (
        "Error generating Snapshot: Error: The profile has slicing at the root ('{path}'), which is illegal"
    ),
    MessageId.ERROR_GENERATING_SNAPSHOT_CHOICE_PATH: (
        "Error generating Snapshot: The path must be '{expected}' not '{path}' when the type list is not constrained"
    ),
    MessageId.ERROR_PARSING_JSON: "Error parsing JSON: {error}",
    MessageId.ERROR_PARSING_JSON_NOT_UTF8: "The content is not valid UTF-8 ({error})",
    MessageId.ERROR_PARSING_XML: "Error parsing XML: not well-formed XML: {error}",
    MessageId.ERROR_PARSING_XML_UNKNOWN_TYPE: "Error parsing XML: unknown resource type {resource_type}",
    MessageId.EXTENSION_EXT_CONTEXT_WRONG: (
        "The extension {url} is not allowed to be used at this point (this element is [{types}]; allowed: {allowed})"
    ),
    MessageId.EXTENSION_EXT_MODIFIER_N: "Extension {url} is not a modifier extension, but is used as one",
    MessageId.EXTENSION_EXT_MODIFIER_Y: "Extension {url} is a modifier extension and must be used as modifierExtension",
    MessageId.EXTENSION_EXT_TYPE: "The URL {url} does not identify an extension definition",
    MessageId.EXTENSION_EXT_UNKNOWN_DOMAIN: (
        "The extension {url} is not loaded here; accepted because its domain is allowed, not validated"
    ),
    MessageId.EXTENSION_EXT_UNKNOWN_NOTHERE: "The extension {url} could not be found so is not allowed here",
    MessageId.EXTENSION_EXT_UNKNOWN_NOTHERE_NOT_LOADED: (
        "The extension {url} is not known here (not loaded); it is not validated"
    ),
    MessageId.EXTENSION_EXT_URL_ABSENT: (
        "Extension.url is required in order to identify, use and validate the extension"
    ),
    MessageId.EXTENSION_EXT_URL_NOTFOUND: "Example URLs are not allowed in this context ({url})",
    MessageId.EXTENSION_EXT_VERSION_INTERNAL: "The extension URL must not contain a version",
    MessageId.EXT_1: "Constraint failed: ext-1: 'Must have either extensions or value[x], not both'",
    MessageId.FHIRPATH_EVALUATION_FAILED: "The invariant {key} could not be evaluated ({error}): {expression}",
    MessageId.FILE_UNREADABLE: "Cannot read {name}: {error}",
    MessageId.INTERNAL: "Internal error while validating: {__name__}: {error}",
    MessageId.INVARIANT_FAILED: "Constraint failed: {key}: '{human}'",
    MessageId.JSON_COMMENTS_NOT_ALLOWED: "The property 'fhir_comments' is not allowed: FHIR R4 JSON has no comments",
    MessageId.JSON_NULL: "The property {key} cannot be null",
    MessageId.JSON_NULL_ARRAY: (
        "Null values are not allowed in an array unless there is an extension in the matching _ array"
    ),
    MessageId.JSON_OBJECT: "The property {path} must be an Object, not {kind}",
    MessageId.JSON_OBJECT_ENTRY: "The property {key} must be an object",
    MessageId.JSON_PRIMITIVE: "The property {path} must be a primitive ({code}), not {kind}",
    MessageId.JSON_PROPERTY_NOT_ARRAY: "The property {key} must be a JSON Array, not {kind} (at {path})",
    MessageId.JSON_PROPERTY_NO_ARRAY: "The property {key} must not be an array",
    MessageId.JSON_PROPERTY_NO_ARRAY_OBJECT: "The property {key} must be an Object, not an Array (at {path})",
    MessageId.MARKDOWN_HTML: (
        "The markdown contains content that appears to be an embedded HTML tag starting at '{start}'. This will either "
        "be rendered as literal text, or may be a security risk"
    ),
    MessageId.NOT_JSON: "The content is not JSON data: it holds a {kind}",
    MessageId.NOT_JSON_PROPERTY_NAME: "The content is not JSON data: a property name is not a string",
    MessageId.OBJECT_MUST_HAVE_SOME_CONTENT: "Object must have some content",
    MessageId.PROFILE_VAL_MISSINGELEMENT: "Missing element '{key}' - required by pattern in the profile",
    MessageId.PROFILE_VAL_MISSINGELEMENT_NOT_OBJECT: "The value must be an object matching the pattern",
    MessageId.PROFILE_VAL_MISSINGELEMENT_NO_MATCH: "No value matches the pattern {pattern}",
    MessageId.PROFILE_VAL_MISSINGELEMENT_VALUE: "Value is '{value}' but must be '{expected}'",
    MessageId.PROFILE_VAL_NOTALLOWED: "Value is '{item}' but is fixed to '{fixed}' in the profile {url}",
    MessageId.PROFILE_VAL_NOTALLOWED_COUNT: "Expected {expected} values but found {found}",
    MessageId.PROFILE_VAL_NOTALLOWED_ELEMENT: (
        "The element {key} is present in the instance but not allowed in the applicable fixed value specified in "
        "profile"
    ),
    MessageId.PROFILE_VAL_NOTALLOWED_IN_BASE: (
        "Value is '{value}' but is fixed to '{fixed}' in the base {url}, because the value must match the fixed value "
        "defined there"
    ),
    MessageId.PROFILE_VAL_NOTALLOWED_MISSING: "Missing element '{key}' - required by fixed value in the profile",
    MessageId.PROFILE_VAL_NOTALLOWED_NOT_OBJECT: "The value must be an object matching the fixed value",
    MessageId.PROFILE_VAL_NOTALLOWED_VALUE: "Value is '{value}' but must be '{expected}'",
    MessageId.QUESTIONNAIRE_QR_ITEM_DECIMALPLACES: "The value {text} has too many decimal places (limit = {places})",
    MessageId.QUESTIONNAIRE_QR_ITEM_EXCLUSIVE: (
        "Selected answer {answer} is an exclusive option - can't select anything else at the same time"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_GROUP: "Items of type group should not have answers",
    MessageId.QUESTIONNAIRE_QR_ITEM_MAXLENGTH: (
        "The answer '{data}' is longer then the allowed maximum length of {max_length}"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_MAXOCCURS: (
        "The maximum number of answers is {max_occurs} but this has {count} answers"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_MAXSIZE: "The attachment is too large (allowed = {max_size}, found = {size})",
    MessageId.QUESTIONNAIRE_QR_ITEM_MINLENGTH: (
        "The answer '{data}' is shorter then the required minimum length of {min_length}"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_MINOCCURS: (
        "The minimum number of answers is {min_occurs} but this has {count} answers"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_MISSING: "No response answer found for required item '{link_id}'",
    MessageId.QUESTIONNAIRE_QR_ITEM_NOCODING: "The code {code} is not a valid option",
    MessageId.QUESTIONNAIRE_QR_ITEM_NOOPTION: "The {type_name} {data} is not in the set of permitted values",
    MessageId.QUESTIONNAIRE_QR_ITEM_NOTENABLED: (
        "Item has answer, even though it is not enabled (item id = '{link_id}')"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_NOTFOUND: "LinkId '{link_id}' not found in questionnaire",
    MessageId.QUESTIONNAIRE_QR_ITEM_NOTINVS: (
        "The code '{code}' in the system '{system}' is not in the options value set ({value_set}) specified by the "
        "questionnaire"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_ONLYONEA: "Only one response answer item with this linkId allowed",
    MessageId.QUESTIONNAIRE_QR_ITEM_ONLYONEI: "Only one response item with linkId '{link_id}' allowed",
    MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS: (
        "The quantity {amount} {unit} cannot be compared to the allowed minimum of {limit} {limit_unit} because no "
        "formal units are specified"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS_MAX: (
        "The quantity {amount} {unit} cannot be compared to the allowed maximum of {limit} {limit_unit} because no "
        "formal units are specified"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE: (
        "The quantity {amount} {unit} is less than the allowed minimum of {limit} {limit_unit}"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE_MAX: (
        "The quantity {amount} {unit} is greater than the allowed maximum of {limit} {limit_unit}"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_RANGE: "The value {data} is less than the allowed minimum of {bound}",
    MessageId.QUESTIONNAIRE_QR_ITEM_RANGE_MAX: "The value {data} is greater than the allowed maximum of {bound}",
    MessageId.QUESTIONNAIRE_QR_ITEM_REFTYPE: (
        "The resource type {resource_type} in the reference {reference} is not valid"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_REFTYPE_NOTALLOWED: (
        "The resource type '{resource_type}' in the reference {reference} is not allowed (allowed = {allowed})"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_REGEX: (
        "The answer '{data}' does not conform to the expected format (regex '{regex}')"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_WRONGTYPE: "Answer value must be of the type {expected} not {type_name}",
    MessageId.QUESTIONNAIRE_QR_Q_NOTFOUND: "The questionnaire '{canonical}' could not be resolved",
    MessageId.QUESTIONNAIRE_QR_Q_NOTFOUND_UNCHECKED: (
        "The questionnaire '{canonical}' could not be resolved, so answers cannot be checked"
    ),
    MessageId.REFERENCE_REF_AGGREGATION: (
        "Bundled or contained reference not found within the bundle/resource {reference}"
    ),
    MessageId.REFERENCE_REF_BADTARGETTYPE: (
        "The type '{actual}' implied by the reference URL {reference} is not a valid Target for this element (must be "
        "one of {allowed})"
    ),
    MessageId.REFERENCE_REF_CANTMATCHCHOICE: (
        "Unable to find a profile match for {reference} among choices: {candidates}"
    ),
    MessageId.REFERENCE_REF_CANTRESOLVE: "Unable to resolve resource with reference '{reference}'",
    MessageId.REFERENCE_REF_NOTVALID: "The reference '{reference}' is not a valid reference",
    MessageId.REFERENCE_REF_RESOURCETYPE: "The resource type {actual} in the reference {reference} is not valid",
    MessageId.REF_1: (
        "Constraint failed: ref-1: 'SHALL have a contained resource if a local reference is provided' (url: {url})"
    ),
    MessageId.RESOURCE_ABSTRACT: "The resource type '{resource_type}' is abstract",
    MessageId.RESOURCE_NOT_OBJECT: "A resource must be a JSON object, not {kind}",
    MessageId.RESOURCE_RES_ID_MALFORMED: "Error parsing JSON: the primitive value must be a string",
    MessageId.RESOURCE_RES_ID_MALFORMED_CHARS: "Invalid Resource id: Invalid Characters ('{value}')",
    MessageId.RESOURCE_RES_ID_MALFORMED_LENGTH: "Invalid Resource id: Too long ({length} chars)",
    MessageId.RESOURCE_WRONG_TYPE: "The resource must be a {code}, not {resource_type}",
    MessageId.SD_DISCRIMINATOR_PATH_INVALID: (
        "The discriminator path '{discriminator}' does not appear to be valid for the element that is being sliced "
        "'{element}'"
    ),
    MessageId.SD_ILLEGAL_CHARACTERISTICS: (
        "This element has a {label} but the types [{types}] do not make this kind of constraint relevant"
    ),
    MessageId.SD_NO_SLICING_ON_ROOT: "Slicing is not allowed at the root of a profile",
    MessageId.SEARCHPARAMETER_BASE_WRONG: (
        "The resource type {base} is not listed as a base in the SearchParameter this is derived from ({master_url})"
    ),
    MessageId.SEARCHPARAMETER_COMPOSITE_COMPONENTS: (
        "When the SearchParameter has a type of 'composite', then the SearchParameter must define two or more "
        "components"
    ),
    MessageId.SEARCHPARAMETER_EXPRESSION_ERROR: (
        "Error in search expression '{expression}': The name '{name}' is not valid for any of the possible types: "
        "[{types}]"
    ),
    MessageId.SEARCHPARAMETER_EXP_WRONG: (
        "The expression '{expression}' is not compatible with the expression '{master_expression}' in the derivedFrom "
        "SearchParameter {master_url}, and this likely indicates that the derivation relationship is not valid"
    ),
    MessageId.SEARCHPARAMETER_NOTFOUND: "The SearchParameter {master_url} this is derived from could not be found",
    MessageId.SEARCHPARAMETER_TYPE_WRONG: (
        "The type {kind} is different to the type {master_type} in the derivedFrom SearchParameter {master_url}"
    ),
    MessageId.SECURITY_STRING_CONTENT_ERROR: (
        "The string value contains text that looks like embedded HTML tags, which are not allowed for security reasons "
        "in this context"
    ),
    MessageId.SECURITY_STRING_CONTENT_WARNING: (
        "The string value contains text that looks like embedded HTML tags. If this content is rendered to HTML "
        "without appropriate post-processing, it may be a security risk"
    ),
    MessageId.SNAPSHOT_NO_MATCH: (
        "No match found for {element_id} in the generated snapshot: check that the path and definitions are legal in "
        "the differential (including order)"
    ),
    MessageId.TERMINOLOGY_TX_CODE_NOTVALID: "Unknown code '{value}' in the CodeSystem '{system}'",
    MessageId.TERMINOLOGY_TX_CODE_NOTVALID_DATED_COPY: (
        "Code '{code}' is not in the copy (version {version}) of {system} loaded here; that code system is maintained "
        "outside FHIR and may have added it since"
    ),
    MessageId.TERMINOLOGY_TX_NOVALID_17: (
        "The value provided ('{shown}') was not found in the value set {label}, and a code is {strength} from this "
        "value set"
    ),
    MessageId.TERMINOLOGY_TX_NOVALID_1_CC: (
        "None of the codings provided are in the value set {label}, and a coding from this value set is {strength} "
        "(codes = {shown})"
    ),
    MessageId.TERMINOLOGY_TX_SYSTEM_NOTKNOWN: (
        "The System URI could not be determined for the code '{item}' in the ValueSet {label}"
    ),
    MessageId.TERMINOLOGY_TX_SYSTEM_RELATIVE: (
        "Coding.system must be an absolute reference, not a local reference ('{system}')"
    ),
    MessageId.TERMINOLOGY_TX_SYSTEM_VALUESET2: "The Coding references a value set, not a code system ('{system}')",
    MessageId.TOO_DEEP: "The content is nested too deeply (more than {max_depth} levels)",
    MessageId.TOO_DEEP_JSON: "Error parsing JSON: the content is nested too deeply",
    MessageId.TOO_DEEP_RECURSION: "The content is nested too deeply to validate",
    MessageId.TOO_LARGE: "The content is too large to validate ({size} bytes, more than {max_size})",
    MessageId.TOO_LARGE_NUMBER: "The content holds a number too large to process",
    MessageId.TX_GENERAL: "The value set {value_set} could not be checked: {error}",
    MessageId.TX_NOT_EXPANDABLE: "The value set {value_set} cannot be checked here",
    MessageId.TX_NOT_EXPANDABLE_BECAUSE: "The value set {value_set} cannot be checked here: {reasons}",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_ATT_SIZE_CORRECT: (
        "Stated Attachment Size {size} does not match actual attachment size {actual}"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_CODE_WS: "The code '{value}' is not valid (whitespace rules)",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_DATETIME_TZ: (
        "Not a valid date/time ({value}): if a date has a time, it must have a timezone"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_DATE_CALENDAR: "Not a valid date ({value})",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_DECIMAL_NOT_FINITE: "The value is not a valid decimal",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_FORMAT: "Not a valid {type_code} ({value!r})",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_ID_VALID: "Invalid id '{value}'",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_LT0: "The value '{value}' is not an unsignedInt (must be 0 or more)",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_LT1: "The value '{value}' is not a positiveInt (must be 1 or more)",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_NOT_WHOLE: "The value '{value}' is not a valid integer",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_RANGE: "The value '{value}' is outside the range of a 32-bit integer",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_NOT_BOOLEAN: (
        "Error parsing JSON: the primitive value must be a boolean, not {kind}"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_NOT_NUMBER: (
        "Error parsing JSON: the primitive value must be a number, not {kind}"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_NOT_STRING: (
        "Error parsing JSON: the primitive value must be a string, not {kind}"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_PRIMITIVE_NOT_EMPTY: "@value cannot be empty",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS: (
        "The quantity cannot be compared with the minimum value of {limit} {unit} (units that do not convert, or a "
        "comparator)"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS_MAX: (
        "The quantity cannot be compared with the maximum value of {limit} {unit} (units that do not convert, or a "
        "comparator)"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE: "value is less than permitted minimum value of {limit}",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY: (
        "The value {item} is outside the allowed range (min {amount} {unit} from today)"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY_MAX: (
        "The value {item} is outside the allowed range (max {amount} {unit} from today)"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_MAX: "value is greater than permitted maximum value of {limit}",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_STRING_LENGTH: "value is longer than permitted maximum length of {max_length}",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_STRING_TOO_LONG: (
        "value is longer than permitted maximum length of 1 MB ({max_length} bytes)"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_STRING_WS: "value should not start or finish with whitespace",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_URI_WS: "URI values cannot have whitespace ('{value}')",
    MessageId.UNABLE_TO_FIND_BASE_FOR: (
        "Unable to find base {base} for StructureDefinition, so can't check the differential"
    ),
    MessageId.UNABLE_TO_FIND_RESOURCETYPE: "Unable to find resourceType property",
    MessageId.UNKNOWN_RESOURCE_TYPE: "Unknown resource type '{resource_type}'",
    MessageId.UNMATCHED_DIFFERENTIAL_ELEMENT: (
        "The profile {url} has {count} element in the differential (id: {ids}) that don't have a matching element "
        "in the snapshot: check that the path and definitions are legal in the differential (including order)"
    ),
    MessageId.UNMATCHED_DIFFERENTIAL_ELEMENTS: (
        "The profile {url} has {count} elements in the differential (id: {ids}) that don't have a matching element "
        "in the snapshot: check that the path and definitions are legal in the differential (including order)"
    ),
    MessageId.UNRECOGNIZED_PROPERTY: "Unrecognized property '{key}'",
    MessageId.UNRECOGNIZED_PROPERTY_NOT_PRIMITIVE: "The property '{key}' is not allowed: {base} is not a primitive",
    MessageId.UNRECOGNIZED_PROPERTY_VALUE: "The property 'value' is invalid",
    MessageId.VALIDATION_ISSUES_TRUNCATED: (
        "The listing stops at {max_issues} issues: {counts} not listed (found in all: {errors} errors or fatal)"
    ),
    MessageId.VALIDATION_VAL_PROFILE_MAXIMUM: "{label}: max allowed = {max}, but found {count} (from {profile})",
    MessageId.VALIDATION_VAL_PROFILE_MINIMUM: (
        "{label}: minimum required = {min}, but only found {count} (from {profile})"
    ),
    MessageId.VALIDATION_VAL_PROFILE_MINIMUM_SLICE: (
        "Slice '{label}': a matching slice is required, but not found (from {profile})"
    ),
    MessageId.VALIDATION_VAL_PROFILE_NOTSLICE: (
        "This element does not match any known slice defined in the profile {profile} (slicing is closed)"
    ),
    MessageId.VALIDATION_VAL_PROFILE_OUTOFORDER: "As specified by profile {profile}, elements are out of order",
    MessageId.VALIDATION_VAL_PROFILE_OUTOFORDER_OPEN_AT_END: (
        "The slice is open at the end; matched items must come before other items"
    ),
    MessageId.VALIDATION_VAL_PROFILE_UNKNOWN: "Profile '{url}' could not be found",
    MessageId.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY: (
        "Profile reference '{url}' has not been checked because it is unknown"
    ),
    MessageId.VALIDATION_VAL_PROFILE_WRONGTYPE: (
        "The Profile '{profile}' definition allows for the type {types} but found type {code}"
    ),
    MessageId.VALIDATION_VAL_PROFILE_WRONGTYPE_RESOURCE: (
        "The profile {url} is for the type {type}, not {resource_type}"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_TEXT: (
        "If text exists, it must match the questionnaire definition for linkId '{link_id}'"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_ORDER: "Structural Error: items are out of order",
    MessageId.QUESTIONNAIRE_QR_ITEM_WRONGPLACE: "Structural Error: item with linkid {link_id} is in the wrong place",
    MessageId.QUESTIONNAIRE_QR_ITEM_DISPLAY: "Items of type display should not have items - linkId {link_id}",
    MessageId.QUESTIONNAIRE_QR_ITEM_GROUP_ANSWER: (
        "Items not of type group should not have items outside answers (use answer.item not .item) - linkId {link_id}"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_MISSING_IN_PROGRESS: (
        "No response answer found for required item '{link_id}' (required once the response is completed)"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_WRONGTYPE_ONEOF: (
        "Answer value must be one of the types {expected} not {type_name}"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_NOOPTIONS_OF_TYPE: "Option list has no option values of type {type_name}",
    MessageId.QUESTIONNAIRE_QR_ITEM_VALUESET_NOTFOUND: (
        "The value set {value_set} of the answers could not be found, so the answer {code} is not checked"
    ),
    MessageId.EXTENSION_EXT_UNKNOWN: "Unknown extension {url}",
    MessageId.EXTENSION_EXT_SUBEXTENSION_INVALID: "Sub-extension url '{url}' is not defined by the Extension {parent}",
    MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_NOTARGET: (
        "Unable to find target '{question}' for this question enableWhen (item '{link_id}')"
    ),
    MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_SELF: "Target for this question enableWhen can't reference itself",
    MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_ISINNER: (
        "Questions for enableWhen cannot refer to an inner question for its enableWhen condition"
    ),
    MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_AFTER: (
        "The target of this enableWhen rule ({question}) comes after the question itself"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_UNIT: (
        "The unit {unit} is not one of the units the questionnaire allows for this answer ({allowed})"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_GROUP_MINOCCURS: (
        "The group '{link_id}' must appear at least {min_occurs} times, but appears {count} times"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_GROUP_MAXOCCURS: (
        "The group '{link_id}' may appear at most {max_occurs} times, but appears {count} times"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_NOOPTIONS_UNCHECKED: (
        "Cannot validate {type_name} answer option because no option list is provided"
    ),
    MessageId.QUESTIONNAIRE_QR_ITEM_DISPLAY_ANSWER: "Items of type 'display' cannot have answers",
    MessageId.QUESTIONNAIRE_QR_ITEM_QUESTION_ANSWER: "Items of type question should not have answers",
    MessageId.QUESTIONNAIRE_QR_ITEM_MIMETYPE: (
        "The attachment's content type {content_type} is not one of the types the questionnaire allows ({allowed})"
    ),
    MessageId.XHTML_XHTML_ACTIVE_CONTENT: (
        "Active content is not allowed in the XHTML ('{name}' of '{tag}' is a script)"
    ),
    MessageId.XHTML_XHTML_ATTRIBUTE_ILLEGAL: "Illegal attribute name in the XHTML ('{name}' on '{tag}')",
    MessageId.XHTML_XHTML_ELEMENT_ILLEGAL: "Illegal element name in the XHTML ('{tag}')",
    MessageId.XHTML_XHTML_ENTITY_ILLEGAL: "Invalid entity in the XHTML ('&{entity};')",
    MessageId.XHTML_XHTML_NAME_INVALID: "Wrong name on the XHTML Node - must start with div",
    MessageId.XHTML_XHTML_NOT_WELL_FORMED: "The XHTML is not well formed: {error}",
    MessageId.XHTML_XHTML_NS_INVALID: (
        "Wrong namespace on the XHTML ('{namespace}', should be 'http://www.w3.org/1999/xhtml')"
    ),
    MessageId.XHTML_XHTML_NO_CONTENT: (
        "Constraint failed: txt-2: 'The narrative SHALL have some non-whitespace content'"
    ),
    MessageId.BUNDLE_BUNDLE_ENTRY_FULLURL_REQUIRED: (
        "Except for transactions and batches, each entry in a Bundle must have a fullUrl which is the identity of the "
        "resource in the entry"
    ),
    MessageId.CONTAINED_ORPHAN_NO_ID: (
        "The contained resource has no id, so nothing can refer to it, and it does not refer to the containing "
        "resource (dom-3)"
    ),
    MessageId.BUNDLE_BUNDLE_ENTRY_ORPHAN_DOCUMENT: (
        "Entry '{full_url}' isn't reachable by traversing forwards from the Composition. Only Provenance is approved "
        "to be used this way"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_DT_UUID_VAID: "UUIDs must be valid and lowercase ({value})",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_OID_VALID: "OIDs must be valid ({value})",
    MessageId.TYPE_SPECIFIC_CHECKS_DT_CANONICAL_TYPE: (
        "Canonical URL '{url}' refers to a resource that has the wrong type. Found {actual} expecting one of {allowed}"
    ),
    MessageId.BUNDLE_SEARCH_NOID: "Search results must have ids",
    MessageId.BUNDLE_ENTRY_PUT_NO_ID: "A resource updated with PUT must have the id of the request URL ('{url}')",
    MessageId.BUNDLE_ENTRY_URL_MATCHES_TYPE: (
        "The request URL '{url}' does not name the type of the resource ({resource_type})"
    ),
    MessageId.BUNDLE_ENTRY_URL_MATCHES_TYPE_ID: (
        "The request URL '{url}' does not match the type and id of the resource ({resource_type}/{resource_id})"
    ),
    MessageId.BUNDLE_SEARCH_NOSELF: "SearchSet Bundles should have a self link that specifies what the search was",
    MessageId.BUNDLE_SEARCH_NO_MODE: "SearchSet bundles should have search modes on the entries",
    MessageId.DUPLICATE_ID: "Duplicate id value '{element_id}'",
    MessageId.SHC_NOT_JWS: "A verifiable credential is a JWS in compact serialization (header.payload.signature)",
    MessageId.SHC_PAYLOAD_UNREADABLE: "The payload of the verifiable credential cannot be read: {error}",
    MessageId.SHC_SIGNATURE_NOT_CHECKED: (
        "The signature of the verifiable credential is not checked (the issuer's keys are published online)"
    ),
    MessageId.SHC_NO_BUNDLE: "The verifiable credential has no FHIR Bundle at vc.credentialSubject.fhirBundle",
    MessageId.CODESYSTEM_CS_SUPPLEMENT_AS_SYSTEM: (
        "CodeSystem {system} is a supplement, so can't be used as a value in Coding.system for '{system}#{code}'"
    ),
    MessageId.CODESYSTEM_CS_SUPPLEMENT_NEW_CODE: (
        "The code '{code}' is not declared in the base CodeSystem {base} so is not valid in the supplement"
    ),
    MessageId.TYPE_SPECIFIC_CHECKS_CANONICAL_ABSOLUTE: "Canonical URLs must be absolute URLs ({url})",
    MessageId.BUNDLE_SEARCH_OUTCOME_NOT_OO: "This is not an OperationOutcome ({resource_type})",
    MessageId.BUNDLE_SEARCH_WRONG_TYPE: (
        "This is not a matching resource type for the specified search ({resource_type} expecting [{types}])"
    ),
}

#: Second wordings of an id: the issue carries the id of the first wording, as it did before they had ids of their own.
REPORTED_AS: dict[MessageId, MessageId] = {
    MessageId.ERROR_GENERATING_SNAPSHOT_CHOICE_PATH: MessageId.ERROR_GENERATING_SNAPSHOT,
    MessageId.ERROR_PARSING_JSON_NOT_UTF8: MessageId.ERROR_PARSING_JSON,
    MessageId.ERROR_PARSING_XML_UNKNOWN_TYPE: MessageId.ERROR_PARSING_XML,
    MessageId.EXTENSION_EXT_UNKNOWN_NOTHERE_NOT_LOADED: MessageId.EXTENSION_EXT_UNKNOWN_NOTHERE,
    MessageId.JSON_OBJECT_ENTRY: MessageId.JSON_OBJECT,
    MessageId.JSON_PROPERTY_NO_ARRAY_OBJECT: MessageId.JSON_PROPERTY_NO_ARRAY,
    MessageId.NOT_JSON_PROPERTY_NAME: MessageId.NOT_JSON,
    MessageId.PROFILE_VAL_MISSINGELEMENT_NOT_OBJECT: MessageId.PROFILE_VAL_MISSINGELEMENT,
    MessageId.PROFILE_VAL_MISSINGELEMENT_NO_MATCH: MessageId.PROFILE_VAL_MISSINGELEMENT,
    MessageId.PROFILE_VAL_MISSINGELEMENT_VALUE: MessageId.PROFILE_VAL_MISSINGELEMENT,
    MessageId.PROFILE_VAL_NOTALLOWED_COUNT: MessageId.PROFILE_VAL_NOTALLOWED,
    MessageId.PROFILE_VAL_NOTALLOWED_ELEMENT: MessageId.PROFILE_VAL_NOTALLOWED,
    MessageId.PROFILE_VAL_NOTALLOWED_IN_BASE: MessageId.PROFILE_VAL_NOTALLOWED,
    MessageId.PROFILE_VAL_NOTALLOWED_MISSING: MessageId.PROFILE_VAL_NOTALLOWED,
    MessageId.PROFILE_VAL_NOTALLOWED_NOT_OBJECT: MessageId.PROFILE_VAL_NOTALLOWED,
    MessageId.PROFILE_VAL_NOTALLOWED_VALUE: MessageId.PROFILE_VAL_NOTALLOWED,
    MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS_MAX: MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS,
    MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE_MAX: MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE,
    MessageId.QUESTIONNAIRE_QR_ITEM_RANGE_MAX: MessageId.QUESTIONNAIRE_QR_ITEM_RANGE,
    MessageId.QUESTIONNAIRE_QR_Q_NOTFOUND_UNCHECKED: MessageId.QUESTIONNAIRE_QR_Q_NOTFOUND,
    MessageId.QUESTIONNAIRE_QR_ITEM_MISSING_IN_PROGRESS: MessageId.QUESTIONNAIRE_QR_ITEM_MISSING,
    MessageId.QUESTIONNAIRE_QR_ITEM_WRONGTYPE_ONEOF: MessageId.QUESTIONNAIRE_QR_ITEM_WRONGTYPE,
    MessageId.RESOURCE_RES_ID_MALFORMED_CHARS: MessageId.RESOURCE_RES_ID_MALFORMED,
    MessageId.RESOURCE_RES_ID_MALFORMED_LENGTH: MessageId.RESOURCE_RES_ID_MALFORMED,
    MessageId.TERMINOLOGY_TX_CODE_NOTVALID_DATED_COPY: MessageId.TERMINOLOGY_TX_CODE_NOTVALID,
    MessageId.TOO_DEEP_JSON: MessageId.TOO_DEEP,
    MessageId.TOO_DEEP_RECURSION: MessageId.TOO_DEEP,
    MessageId.TOO_LARGE_NUMBER: MessageId.TOO_LARGE,
    MessageId.TX_NOT_EXPANDABLE_BECAUSE: MessageId.TX_NOT_EXPANDABLE,
    MessageId.TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS_MAX: MessageId.TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS,
    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY: MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE,
    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY_MAX: MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE,
    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_MAX: MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE,
    MessageId.UNRECOGNIZED_PROPERTY_NOT_PRIMITIVE: MessageId.UNRECOGNIZED_PROPERTY,
    MessageId.UNMATCHED_DIFFERENTIAL_ELEMENT: MessageId.UNMATCHED_DIFFERENTIAL_ELEMENTS,
    MessageId.UNRECOGNIZED_PROPERTY_VALUE: MessageId.UNRECOGNIZED_PROPERTY,
    MessageId.VALIDATION_VAL_PROFILE_OUTOFORDER_OPEN_AT_END: MessageId.VALIDATION_VAL_PROFILE_OUTOFORDER,
}


def primitive_id(type_code: str) -> str:
    """The id carried by the issues about the lexical form of a value of the primitive type `type_code` (see the
    module docstring): `Type_Specific_Checks_DT_date_Valid` for a date, whatever the wording."""
    return f"Type_Specific_Checks_DT_{type_code}_Valid"
